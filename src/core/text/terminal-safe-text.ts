import { wellFormedUtf8End } from './utf8-text.js';

/**
 * Text that came from an input (a record line, a syslog message, a YAML key, a file name) is
 * printed through these functions, so that it cannot move the cursor, recolour or erase what
 * hpvs-ctl printed (a forged record hiding its FAIL verdict), start a fake line, or reorder
 * the characters around it. Unsafe characters become visible escapes; everything else is kept.
 *
 * Unsafe: the C0 controls (ESC starts every ANSI sequence), DEL, the C1 controls (0x9B is a
 * one-byte CSI on some terminals), the Unicode line and paragraph separators, the bidirectional
 * marks, embeddings, overrides and isolates ("Trojan Source"), and lone surrogates.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const UNSAFE_EXCEPT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text from an input: every unsafe character, newlines included, escaped. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeCharacter);
}

/**
 * A report of several lines built by hpvs-ctl: its own newlines are kept, every other unsafe
 * character is escaped. Values that may hold a newline go through `terminalSafe` first.
 */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE_EXCEPT_NEWLINE, escapeCharacter);
}

/**
 * A copy of a report with `terminalSafe` applied to every string in its plain objects and
 * arrays, for renderers that put those strings on lines of their own. Anything else (bytes,
 * dates, class instances) is kept as it is.
 */
export function terminalSafeStrings<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafeStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, terminalSafeStrings(item)]),
    ) as T;
  }
  return value;
}

/**
 * JSON for stdout: JSON.stringify already escapes the C0 controls; the others get `\uXXXX`
 * escapes too, which any JSON reader turns back into the same string.
 */
export function jsonForTerminal(value: unknown): string {
  // its newlines are JSON's own (a newline inside a string is already written as \n)
  return JSON.stringify(value, null, 2).replace(
    UNSAFE_EXCEPT_NEWLINE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Bytes that should be UTF-8 text (a file name on disk, an argument, a decrypted record shown
 * on a terminal): valid UTF-8 is shown as text, every byte outside it as `\xNN`, instead of the
 * U+FFFD a decoder puts there. With `lines`, newlines are kept as in `terminalSafeLines`.
 */
export function bytesForTerminal(bytes: Uint8Array, options: { lines?: boolean } = {}): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  let start = 0;
  while (start < bytes.length) {
    const end = wellFormedUtf8End(bytes, start);
    text += decoder.decode(bytes.subarray(start, end));
    if (end < bytes.length) text += `\\x${bytes[end]!.toString(16).padStart(2, '0')}`;
    start = end + 1;
  }
  return options.lines ? terminalSafeLines(text) : terminalSafe(text);
}
