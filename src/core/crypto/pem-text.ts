/** PEM text normalised to LF line ends and one final newline, as a `|` block keeps it. */
export function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n?/g, '\n').trim()}\n`;
}
