import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRecord, parseRecord } from '../../../src/core/attestation/record.js';
import {
  contractSectionOf,
  recordNameOfSection,
} from '../../../src/core/attestation/record-names.js';
import {
  decryptRecord,
  signRecord,
  verifyRecordSignature,
} from '../../../src/core/attestation/record-signature.js';
import { parsePrivateKey, parsePublicKeyOrCertificate } from '../../../src/core/crypto/keys.js';
import { HpvsError } from '../../../src/core/errors.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { systemRandom } from '../../../src/node/random.js';

const fixture = (...parts: string[]) => readFileSync(referencePath('fixtures', ...parts));

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof HpvsError ? error.code : `not an HpvsError: ${String(error)}`;
  }
  return undefined;
}

describe('parseRecord', () => {
  it('reads the version, key/value lines and hash lines with spaces in names, keeping unknown lines in order', () => {
    const text = [
      '25.11.0',
      'Machine Type/Plant/Serial: 9175/02/C25B8',
      'HKD is valid until: Apr 1 15:03:09 2027 GMT',
      'something the parser has never seen',
      `${'a'.repeat(64)} AP(1):secret`,
      `${'B'.repeat(64)} contract: workload`,
      '',
      'another odd line',
      `${'c'.repeat(64)} name with  two spaces`,
    ].join('\n');
    const record = parseRecord(Buffer.from(text));
    expect(record.version).toBe('25.11.0');
    expect(record.keyValues.map(({ key, value }) => [key, value])).toEqual([
      ['Machine Type/Plant/Serial', '9175/02/C25B8'],
      ['HKD is valid until', 'Apr 1 15:03:09 2027 GMT'],
    ]);
    expect(record.hashes).toEqual([
      { sha256: 'a'.repeat(64), name: 'AP(1):secret', line: 5 },
      { sha256: 'b'.repeat(64), name: 'contract: workload', line: 6 },
      { sha256: 'c'.repeat(64), name: 'name with  two spaces', line: 9 },
    ]);
    expect(record.unknown).toEqual([
      { line: 4, text: 'something the parser has never seen' },
      { line: 8, text: 'another odd line' },
    ]);
    expect(record.lines.map((line) => line.text).join('\n')).toBe(text);
    expect(record.bytes.toString()).toBe(text);
  });

  it('keeps the exact bytes, final newline or not', () => {
    const text = `1.2.3\n${'d'.repeat(64)} root.tar.gz\n`;
    const record = parseRecord(Buffer.from(text));
    expect(record.bytes.toString()).toBe(text);
    expect(record.lines).toHaveLength(2);
  });

  it.each([
    ['empty', ''],
    ['binary', '\u0000\u0001\u0002'],
    ['no version line', `Machine: x\n${'a'.repeat(64)} baseimage`],
    ['no hash lines', '25.11.0\nMachine: x'],
    ['an encrypted token', 'hyper-protect-basic.AAAA.BBBB'],
  ])('refuses a malformed record (%s) with RECORD_INVALID', (_name, text) => {
    expect(codeOf(() => parseRecord(Buffer.from(text)))).toBe('RECORD_INVALID');
  });

  it('formatRecord output parses back to the same content, byte for byte (property)', () => {
    const name = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((text) => !/[\r\n\u0000\ufffd]/.test(text) && text.trim() === text && text !== '');
    const key = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((text) => !/[:\r\n\u0000\ufffd]/.test(text) && text.trim() === text && text !== '');
    const value = fc.string({ maxLength: 30 }).filter((text) => !/[\r\n\u0000\ufffd]/.test(text));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, value), { maxLength: 4 }),
        fc.array(fc.tuple(fc.stringMatching(/^[0-9a-f]{64}$/), name), {
          minLength: 1,
          maxLength: 6,
        }),
        (keyValues, hashes) => {
          const text = formatRecord({
            version: '25.11.0',
            keyValues,
            hashes: hashes.map(([sha256, n]) => ({ sha256, name: n })),
          });
          expect(text.endsWith('\n')).toBe(false);
          const record = parseRecord(Buffer.from(text));
          expect(record.version).toBe('25.11.0');
          expect(record.hashes.map((h) => [h.sha256, h.name])).toEqual(hashes);
          expect(record.keyValues.map((kv) => [kv.key, kv.value])).toEqual(keyValues);
          expect(record.unknown).toEqual([]);
        },
      ),
    );
  });
});

describe('contractSectionOf', () => {
  it.each([
    ['contract:workload', 'workload'],
    ['contract: workload', 'workload'],
    ['contract:envWorkloadSignature', 'envWorkloadSignature'],
    ['workload', 'workload'],
    ['env', 'env'],
    ['attestationPublicKey', 'attestationPublicKey'],
    ['cidata/user-data', undefined],
    ['root.tar.gz', undefined],
  ])('%s -> %s', (name, section) => {
    expect(contractSectionOf(name)).toBe(section);
  });

  it('round-trips the current name form', () => {
    expect(contractSectionOf(recordNameOfSection('env'))).toBe('env');
  });
});

describe('record signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sources = { signature: 'se-signature.bin', certificate: 'attestation.crt' };

  it('verifies its own signature and rejects a changed byte', () => {
    const record = Buffer.from(`25.11.0\n${'e'.repeat(64)} baseimage`);
    const signature = signRecord(record, privateKey);
    expect(verifyRecordSignature(record, signature, publicKey, sources).valid).toBe(true);
    const altered = Buffer.from(record);
    altered[3] = altered[3]! ^ 1;
    const verdict = verifyRecordSignature(altered, signature, publicKey, sources);
    expect(verdict.valid).toBe(false);
    expect(verdict.detail).toContain('does not verify');
  });

  it('fails a truncated signature with its reason instead of throwing', () => {
    const record = Buffer.from(`25.11.0\n${'e'.repeat(64)} baseimage`);
    const signature = signRecord(record, privateKey).subarray(0, 100);
    const verdict = verifyRecordSignature(record, signature, publicKey, sources);
    expect(verdict.valid).toBe(false);
    expect(verdict.detail).toMatch(/100 bytes, but a signature by the 2048-bit key .* has 256/);
  });
});

describe.skipIf(!HAS_REFERENCE)(`reference fixtures (${REFERENCE_SKIP_REASON})`, () => {
  it('attestation-25.11.0: the signature verifies over the exact record and fails after one appended newline', () => {
    const record = fixture('attestation-25.11.0', 'se-checksums.txt');
    expect(record.length).toBe(1262);
    const { publicKey } = parsePublicKeyOrCertificate(
      fixture('attestation-25.11.0', 'attestation.crt'),
      'attestation.crt',
    );
    const signature = fixture('attestation-25.11.0', 'se-signature.bin');
    const sources = { signature: 'se-signature.bin', certificate: 'attestation.crt' };
    expect(verifyRecordSignature(record, signature, publicKey, sources).valid).toBe(true);
    const withNewline = Buffer.concat([record, Buffer.from('\n')]);
    expect(verifyRecordSignature(withNewline, signature, publicKey, sources).valid).toBe(false);

    const parsed = parseRecord(record);
    expect(parsed.version).toBe('25.11.0');
    expect(parsed.keyValues.map((kv) => kv.key)).toContain('Ultravisor CUID');
    expect(parsed.hashes.map((h) => h.name)).toEqual([
      'AP(1):secret',
      'uv_firmware.state',
      'root.tar.gz',
      'baseimage',
      'sbom',
      '/dev/disk/by-label/cidata',
      'cidata/meta-data',
      'cidata/user-data',
      'cidata/vendor-data',
      'contract:workload',
      'contract:env',
      'contract:attestationPublicKey',
    ]);
    expect(parsed.unknown).toEqual([]);
  });

  it('attestation-25.11.0 .enc: opens to the older 0.0.0 record with "contract: workload" names', () => {
    const key = parsePrivateKey(fixture('attestation-25.11.0', 'private.pem'), 'private.pem');
    const plain = decryptRecord(
      fixture('attestation-25.11.0', 'se-checksums.txt.enc'),
      key,
      systemRandom,
    );
    const record = parseRecord(plain);
    expect(record.version).toBe('0.0.0');
    expect(record.hashes.map((h) => h.name)).toContain('contract: workload');
    expect(
      record.hashes.map((h) => contractSectionOf(h.name)).filter((s) => s !== undefined),
    ).toEqual(['workload', 'attestationPublicKey', 'env']);
  });

  it('attestation-24.3.3 .enc: opens to a 24.3.3 record with bare section names', () => {
    const key = parsePrivateKey(fixture('attestation-24.3.3', 'private.pem'), 'private.pem');
    const plain = decryptRecord(
      fixture('attestation-24.3.3', 'se-checksums.txt.enc'),
      key,
      systemRandom,
    );
    const record = parseRecord(plain);
    expect(record.version).toBe('24.3.3');
    const names = record.hashes.map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(['baseimage', 'cidata/user-data', 'workload']));
    expect(
      record.hashes.map((h) => contractSectionOf(h.name)).filter((s) => s !== undefined),
    ).toEqual(['attestationPublicKey', 'env', 'workload']);
  });

  it('a record encrypted for another key does not open', () => {
    const other = parsePrivateKey(fixture('attestation-25.11.0', 'private.pem'), 'private.pem');
    expect(
      codeOf(() =>
        decryptRecord(fixture('attestation-24.3.3', 'se-checksums.txt.enc'), other, systemRandom),
      ),
    ).toBe('DECRYPTION_FAILED');
  });
});

describe.skipIf(!HAS_REFERENCE)(
  `Wycheproof RSA PKCS#1 v1.5 SHA-256 signatures (${REFERENCE_SKIP_REASON})`,
  () => {
    interface Vectors {
      testGroups: {
        publicKeyPem: string;
        tests: {
          tcId: number;
          msg: string;
          sig: string;
          result: 'valid' | 'invalid' | 'acceptable';
        }[];
      }[];
    }
    it('accepts every valid signature and rejects every invalid one with a verdict, never an exception', () => {
      // read here, not at collection time: without the reference data the guard skips this
      const vectors = JSON.parse(
        readFileSync(referencePath('wycheproof', 'rsa_signature_4096_sha256_test.json'), 'utf8'),
      ) as Vectors;
      const sources = { signature: 'sig', certificate: 'key' };
      let checked = 0;
      for (const group of vectors.testGroups) {
        const { publicKey } = parsePublicKeyOrCertificate(group.publicKeyPem, 'wycheproof');
        for (const test of group.tests) {
          if (test.result === 'acceptable') continue;
          const verdict = verifyRecordSignature(
            Buffer.from(test.msg, 'hex'),
            Buffer.from(test.sig, 'hex'),
            publicKey,
            sources,
          );
          expect(verdict.valid, `tcId ${test.tcId}`).toBe(test.result === 'valid');
          checked++;
        }
      }
      expect(checked).toBe(257);
    });
  },
);
