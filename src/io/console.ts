/** Diagnostics go to stderr so that stdout carries only the command's result. */
export function warn(message: string): void {
  process.stderr.write(`hpvs-ctl: warning: ${message}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
