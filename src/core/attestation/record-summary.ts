import type { AttestationRecord } from './record.js';

/**
 * What an auditor's tools read from a record besides its checks: the version, the machine and
 * the image age from the header, the entries in order (duplicates kept), and Terraform's
 * `hpcr_attestation` checksum map (SPEC-IBM A8.3), name -> checksum.
 */
export interface RecordSummary {
  version: string;
  /** `Machine Type/Plant/Serial`, as written (`9175/02/C25B8`), or null when absent. */
  machine: string | null;
  /** `Image age`: its text and the days it starts with, or null when absent. */
  imageAge: { text: string; days: number | null } | null;
  /** Every `Key: value` header line, in order. */
  facts: { key: string; value: string }[];
  /** Every hash line, in order, duplicates kept. */
  entries: { sha256: string; name: string }[];
  /** Terraform's map: see `terraformChecksumMap`. */
  checksums: Record<string, string>;
}

export function summariseRecord(record: AttestationRecord): RecordSummary {
  const fact = (key: string) => record.keyValues.find((pair) => pair.key === key)?.value;
  const machine = fact('Machine Type/Plant/Serial');
  const age = fact('Image age');
  const days = age === undefined ? undefined : /^(\d+) days?\b/.exec(age)?.[1];
  return {
    version: record.version,
    machine: machine ?? null,
    imageAge:
      age === undefined ? null : { text: age, days: days === undefined ? null : Number(days) },
    facts: record.keyValues.map(({ key, value }) => ({ key, value })),
    entries: record.hashes.map(({ sha256, name }) => ({ sha256, name })),
    checksums: terraformChecksumMap(record.bytes),
  };
}

// Go's RE2: `\s` is ASCII whitespace only, `.` anything but a newline
const TERRAFORM_HASH_LINE = /^([a-fA-F0-9]{64})[\t\n\f\r ]+([^\n]+)$/;

/**
 * The `checksums` output of Terraform's `hpcr_attestation` data source: each line trimmed of
 * Unicode whitespace, the lines matching `^([a-fA-F0-9]{64})\s+(.+)$` kept, a map checksum ->
 * name (a later line overwrites an earlier one with the same checksum) inverted to name ->
 * checksum. Terraform's inversion walks a Go map, so of two checksums with the same name it keeps
 * either; here the one from the later line wins, so the result is the same every time. Its
 * losses (equal checksums, repeated names) are why `entries` exists beside it.
 */
export function terraformChecksumMap(bytes: Uint8Array): Record<string, string> {
  const byChecksum = new Map<string, { name: string; line: number }>();
  Buffer.from(bytes)
    .toString('utf8')
    .split('\n')
    .forEach((text, line) => {
      const match = TERRAFORM_HASH_LINE.exec(text.trim());
      if (match) byChecksum.set(match[1]!, { name: match[2]!, line });
    });
  const byName = new Map<string, { checksum: string; line: number }>();
  for (const [checksum, { name, line }] of byChecksum) {
    const seen = byName.get(name);
    if (seen === undefined || seen.line < line) byName.set(name, { checksum, line });
  }
  // sorted by name, as Terraform shows a map; fromEntries makes even "__proto__" a plain key
  return Object.fromEntries(
    [...byName.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, { checksum }]) => [name, checksum]),
  );
}
