import { input, worded } from '../wording.js';
import { HpvsError } from '../errors.js';

/**
 * The attestation record `se-checksums.txt` (SPEC section 6): the image version on the first
 * line, then `Key: value` lines, then `<sha256 hex> <name>` lines whose names may contain
 * spaces. The record is signed over its exact bytes, so the parser never normalises anything:
 * `bytes` is what was read, and every line, including ones it does not recognise, is kept in
 * order.
 */

export type RecordLine =
  | { kind: 'version'; number: number; text: string; version: string }
  | { kind: 'keyValue'; number: number; text: string; key: string; value: string }
  | { kind: 'hash'; number: number; text: string; sha256: string; name: string }
  | { kind: 'blank'; number: number; text: string }
  | { kind: 'unknown'; number: number; text: string };

export interface RecordHash {
  /** Lowercase hex. */
  sha256: string;
  name: string;
  /** 1-based line number in the record. */
  line: number;
}

export interface AttestationRecord {
  /** The exact bytes the signature covers. */
  bytes: Buffer;
  version: string;
  lines: RecordLine[];
  keyValues: { key: string; value: string; line: number }[];
  hashes: RecordHash[];
  /** Lines that are neither the version, a `Key: value` pair nor a hash line. */
  unknown: { line: number; text: string }[];
}

const VERSION_LINE = /^[0-9]+(?:\.[0-9A-Za-z_+-]+)*$/;
const HASH_LINE = /^([0-9a-fA-F]{64}) (.+)$/;
const KEY_VALUE_LINE = /^([^:]+):(?: (.*))?$/;

export function parseRecord(bytes: Uint8Array, source = 'attestation record'): AttestationRecord {
  const exact = Buffer.from(bytes);
  if (exact.length === 0) {
    throw new HpvsError('RECORD_INVALID', `${source}: the attestation record is empty`);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(exact);
  if (text.includes('\u0000') || text.includes('\ufffd')) {
    throw new HpvsError(
      'RECORD_INVALID',
      worded`${source}: binary data, not an attestation record (an encrypted record is a hyper-protect-basic token; ${input('open-record')})`,
    );
  }
  const rawLines = text.split('\n');
  // a final newline ends the last line; it does not start another one
  if (rawLines.at(-1) === '') rawLines.pop();
  const lines = rawLines.map((raw, index) => classifyLine(raw.replace(/\r$/, ''), index + 1));
  const first = lines[0]!;
  if (first.kind !== 'version') {
    throw new HpvsError(
      'RECORD_INVALID',
      `${source}:1: expected the image version (like "25.11.0") on the first line, found "${shorten(first.text)}"`,
    );
  }
  const record: AttestationRecord = {
    bytes: exact,
    version: first.version,
    lines,
    keyValues: [],
    hashes: [],
    unknown: [],
  };
  for (const line of lines.slice(1)) {
    if (line.kind === 'hash') {
      record.hashes.push({ sha256: line.sha256, name: line.name, line: line.number });
    } else if (line.kind === 'keyValue') {
      record.keyValues.push({ key: line.key, value: line.value, line: line.number });
    } else if (line.kind === 'unknown') {
      record.unknown.push({ line: line.number, text: line.text });
    }
  }
  if (record.hashes.length === 0) {
    throw new HpvsError(
      'RECORD_INVALID',
      `${source}: no "<sha256> <name>" lines; this is not an attestation record`,
    );
  }
  return record;
}

function classifyLine(text: string, number: number): RecordLine {
  if (number === 1 && VERSION_LINE.test(text))
    return { kind: 'version', number, text, version: text };
  if (text.trim() === '') return { kind: 'blank', number, text };
  const hash = HASH_LINE.exec(text);
  if (hash) return { kind: 'hash', number, text, sha256: hash[1]!.toLowerCase(), name: hash[2]! };
  const pair = KEY_VALUE_LINE.exec(text);
  if (pair && number > 1) {
    return { kind: 'keyValue', number, text, key: pair[1]!, value: pair[2] ?? '' };
  }
  return { kind: 'unknown', number, text };
}

function shorten(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}...` : printable;
}

export interface RecordContent {
  version: string;
  keyValues: readonly (readonly [string, string])[];
  hashes: readonly { sha256: string; name: string }[];
}

/**
 * Writes a record the way the runtime does: lines joined by `\n` with no final newline (like
 * the 25.11.0 sample). The result is exactly what gets signed.
 */
export function formatRecord(content: RecordContent): string {
  if (!VERSION_LINE.test(content.version)) {
    throw new TypeError(`invalid record version "${content.version}"`);
  }
  const lines = [content.version];
  for (const [key, value] of content.keyValues) {
    if (key.includes(':') || /[\r\n]/.test(key + value)) {
      throw new TypeError(`invalid record key/value line "${key}: ${value}"`);
    }
    lines.push(`${key}: ${value}`);
  }
  for (const { sha256, name } of content.hashes) {
    if (!/^[0-9a-f]{64}$/.test(sha256) || name.length === 0 || /[\r\n]/.test(name)) {
      throw new TypeError(`invalid record hash line "${sha256} ${name}"`);
    }
    lines.push(`${sha256} ${name}`);
  }
  return lines.join('\n');
}
