import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../src/core/attestation/record.js';
import {
  summariseRecord,
  terraformChecksumMap,
} from '../../../src/core/attestation/record-summary.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const record = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);

describe("terraformChecksumMap (Terraform's hpcr_attestation checksums, SPEC-IBM A8.3)", () => {
  it('drops the header lines and maps name to checksum, sorted by name', () => {
    const map = terraformChecksumMap(
      record([
        '25.11.0',
        'Machine Type/Plant/Serial: 9175/02/C25B8',
        `${B} sbom`,
        `${A} baseimage`,
      ]),
    );
    expect(map).toEqual({ baseimage: A, sbom: B });
    expect(Object.keys(map)).toEqual(['baseimage', 'sbom']);
  });

  it('loses the earlier of two names with one checksum, as the inverted map does', () => {
    expect(terraformChecksumMap(record(['1.0.0', `${A} first`, `${A} second`]))).toEqual({
      second: A,
    });
  });

  it('keeps the later line of a repeated name, whatever order the checksums came in', () => {
    // B first seen on line 2, rewritten to "n" on line 4: the later line wins over A's line 3
    expect(terraformChecksumMap(record(['1.0.0', `${B} x`, `${A} n`, `${B} n`]))).toEqual({ n: B });
    expect(terraformChecksumMap(record(['1.0.0', `${A} n`, `${B} n`]))).toEqual({ n: B });
  });

  it('trims lines and takes any run of ASCII whitespace after the checksum, keeping its case', () => {
    const upper = 'ABCDEF'.repeat(10) + 'ABCD';
    expect(terraformChecksumMap(record(['1.0.0', `  ${upper}\t\t name with spaces \r`]))).toEqual({
      'name with spaces': upper,
    });
    // no whitespace, or a checksum of another length: not a hash line
    expect(terraformChecksumMap(record(['1.0.0', `${A}name`, `${A}0 long`]))).toEqual({});
  });

  it('makes "__proto__" a plain key, not a prototype', () => {
    const map = terraformChecksumMap(record(['1.0.0', `${C} __proto__`]));
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(map))).toEqual(JSON.parse(`{"__proto__": "${C}"}`));
  });
});

describe('summariseRecord', () => {
  it('reads version, machine and image age; keeps entries in order with duplicates', () => {
    const parsed = parseRecord(
      record([
        '25.11.0',
        'Machine Type/Plant/Serial: 9175/02/C25B8',
        'Image age: 1 day since creation.',
        `${A} root.tar.gz`,
        `${A} root.tar.gz`,
        `${B} baseimage`,
      ]),
    );
    expect(summariseRecord(parsed)).toEqual({
      version: '25.11.0',
      machine: '9175/02/C25B8',
      imageAge: { text: '1 day since creation.', days: 1 },
      facts: [
        { key: 'Machine Type/Plant/Serial', value: '9175/02/C25B8' },
        { key: 'Image age', value: '1 day since creation.' },
      ],
      entries: [
        { sha256: A, name: 'root.tar.gz' },
        { sha256: A, name: 'root.tar.gz' },
        { sha256: B, name: 'baseimage' },
      ],
      checksums: { baseimage: B, 'root.tar.gz': A },
    });
  });

  it('gives null for a header line the record lacks, and for an age without a number', () => {
    const summary = summariseRecord(parseRecord(record(['1.0.0', 'Image age: unknown', `${A} x`])));
    expect(summary.machine).toBeNull();
    expect(summary.imageAge).toEqual({ text: 'unknown', days: null });
  });
});
