import { isUtf8 } from 'node:buffer';
import { HpvsError, type HpvsErrorCode } from '../errors.js';

/** What the text is, for the refusal; YAML unless said. */
export interface Utf8TextKind {
  /** "a YAML file", "the IAM API key": what must be UTF-8. */
  what: string;
  code: HpvsErrorCode;
  /** Name the bad byte's value: not for a secret, whose bytes are never shown. */
  showByte: boolean;
}

const YAML_TEXT: Utf8TextKind = { what: 'a YAML file', code: 'YAML_INVALID', showByte: true };

/**
 * Decodes text that must be UTF-8 (YAML is), refusing anything else with the place of the first
 * bad byte. A lenient decoder would put U+FFFD there, so the bytes written back would differ
 * from the bytes read: a command that promises to keep every byte it does not change
 * (`sign`) cannot keep bytes it never had.
 */
export function decodeUtf8Exactly(
  bytes: Buffer,
  source: string,
  kind: Utf8TextKind = YAML_TEXT,
): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const offset = wellFormedUtf8End(bytes, 0);
  const before = bytes.subarray(0, offset);
  const line = before.filter((byte) => byte === 0x0a).length + 1;
  const column = [...before.subarray(before.lastIndexOf(0x0a) + 1).toString('utf8')].length + 1;
  const byte = kind.showByte ? ` (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')})` : '';
  throw new HpvsError(
    kind.code,
    `${source}:${line}:${column}: not UTF-8${byte}; ${kind.what} must be UTF-8: re-save it as UTF-8`,
  );
}

/** The end of the longest run of well-formed UTF-8 sequences starting at `start`. */
export function wellFormedUtf8End(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return i;
}

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629 table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const continuation = (offset: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[i + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const [low, high] = lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}
