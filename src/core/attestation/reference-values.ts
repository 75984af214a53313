import { HpvsError } from '../errors.js';
import { decodeUtf8Exactly } from '../text/utf8-text.js';

/**
 * The `--reference` file: the values IBM publishes per image version (`root.tar.gz`,
 * `baseimage`), written like record lines, `<sha256> <name>`, one per line. Blank lines and
 * lines starting with `#` are ignored; every named line must appear in the record with that
 * value.
 */
export interface ReferenceValue {
  sha256: string;
  name: string;
  line: number;
}

const REFERENCE_LINE = /^([0-9a-fA-F]{64})\s+(\S.*?)\s*$/;

export function parseReferenceValues(bytes: Uint8Array, source: string): ReferenceValue[] {
  const values: ReferenceValue[] = [];
  // a lenient decoder would show a bad byte as U+FFFD in the refusal instead of its place
  const lines = decodeUtf8Exactly(Buffer.from(bytes), source, {
    what: 'a reference-values file',
    code: 'RECORD_INVALID',
    showByte: true,
  }).split('\n');
  for (const [index, raw] of lines.entries()) {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
    const match = REFERENCE_LINE.exec(text);
    if (!match) {
      throw new HpvsError(
        'RECORD_INVALID',
        `${source}:${index + 1}: expected "<64 hex sha256> <name>" (like "b15f...0a root.tar.gz"), found "${text.slice(0, 40)}"`,
      );
    }
    const name = match[2]!;
    if (values.some((value) => value.name === name)) {
      throw new HpvsError('RECORD_INVALID', `${source}:${index + 1}: "${name}" is listed twice`);
    }
    values.push({ sha256: match[1]!.toLowerCase(), name, line: index + 1 });
  }
  if (values.length === 0) {
    throw new HpvsError(
      'RECORD_INVALID',
      `${source}: no reference values ("<sha256> <name>" lines)`,
    );
  }
  return values;
}
