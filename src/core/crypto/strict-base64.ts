/**
 * The one test of strict base64 (RFC 4648 section 4: the standard alphabet, padded to a
 * multiple of 4 characters, `=` only as the last one or two, nothing else), used by the token
 * codec, the contract signature and the archive checks.
 *
 * A scan rather than a regular expression: V8 runs `^(?:[A-Za-z0-9+/]{4})*...$` with one
 * backtracking entry per group and overflows its stack ("Maximum call stack size exceeded") on
 * inputs of about 8 MB, which hostile tokens and archives reach easily. This runs in one pass
 * and constant space whatever the length.
 */
export function isStrictBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  let padding = 0;
  if (length > 0 && text.charCodeAt(length - 1) === EQUALS) padding++;
  if (length > 1 && text.charCodeAt(length - 2) === EQUALS) padding++;
  const end = length - padding;
  for (let i = 0; i < end; i++) {
    if (!isAlphabetCode(text.charCodeAt(i))) return false;
  }
  return true;
}

const EQUALS = 0x3d;

function isAlphabetCode(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2b || // +
    code === 0x2f // /
  );
}
