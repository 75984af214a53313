/**
 * True when bytes are what every contract section and record is: UTF-8 text without control
 * characters other than tab and line breaks. Random bytes (a wrong password that happened to
 * unpad, a token whose AES body was changed) pass with negligible probability.
 */
export function isSectionText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
