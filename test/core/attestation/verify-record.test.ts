import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractDigests, sha256Hex } from '../../../src/core/attestation/contract-digests.js';
import { formatRecord } from '../../../src/core/attestation/record.js';
import { signRecord } from '../../../src/core/attestation/record-signature.js';
import { parseReferenceValues } from '../../../src/core/attestation/reference-values.js';
import { verifyBatch } from '../../../src/app/attestation/verify-batch.js';
import { openRecord, verifyRecordBundle } from '../../../src/core/attestation/verify-record.js';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { HpvsError } from '../../../src/core/errors.js';
import {
  IMAGE_REFERENCE,
  makeRecordBundle,
  sampleUserData,
} from '../../helpers/attestation-bundle.js';
import { systemRandom } from '../../../src/node/random.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { tamperToken } from '../../helpers/tamper-token.js';

const attestation = generateKeyPairSync('rsa', { modulusLength: 2048 });
const source = (text: string | Buffer, name: string) => ({
  bytes: Buffer.from(text),
  source: name,
});

function bundleInput(record: Buffer, userData?: string) {
  return {
    record: source(record, 'se-checksums.txt'),
    signature: source(signRecord(record, attestation.privateKey), 'se-signature.bin'),
    attestationKey: attestation.publicKey,
    certificateSource: 'attestation.crt',
    random: systemRandom,
    contract: userData === undefined ? undefined : source(userData, 'user-data.yaml'),
  };
}

describe('contractDigests', () => {
  it('hashes the exact user-data bytes and each section value (a token whole, a PEM block with its final newline)', () => {
    const text = sampleUserData();
    const digests = contractDigests(Buffer.from(text), parseUserData(text, 'user-data.yaml'));
    expect(digests.userData).toBe(sha256Hex(text));
    expect(digests.sections.get('workload')!.sha256).toBe(
      sha256Hex('hyper-protect-basic.d29ya2xvYWQ=.d29ya2xvYWQtZGF0YQ=='),
    );
    const pem = text.slice(text.indexOf('-----BEGIN'), text.indexOf('envWorkloadSignature'));
    expect(digests.sections.get('attestationPublicKey')!.sha256).toBe(
      sha256Hex(pem.replace(/^ {2}/gm, '')),
    );
  });
});

describe('verifyRecordBundle contract comparisons', () => {
  it('compares the historic name forms against the same sections', async () => {
    const userData = sampleUserData();
    const digests = contractDigests(Buffer.from(userData), parseUserData(userData, 'u'));
    const record = Buffer.from(
      formatRecord({
        version: '24.3.3',
        keyValues: [],
        hashes: [
          { sha256: digests.userData, name: 'cidata/user-data' },
          { sha256: digests.sections.get('workload')!.sha256, name: 'workload' },
          { sha256: digests.sections.get('env')!.sha256, name: 'contract: env' },
        ],
      }),
    );
    const result = await verifyRecordBundle(bundleInput(record, userData));
    expect(result.contract.map((check) => [check.id, check.status])).toEqual([
      ['contract:user-data', 'pass'],
      ['contract:workload', 'pass'],
      ['contract:env', 'pass'],
      ['contract:attestationPublicKey', 'skip'],
      ['contract:envWorkloadSignature', 'skip'],
    ]);
  });

  it('fails a section the record lists but the contract lacks, and a record without cidata/user-data', async () => {
    const record = Buffer.from(
      formatRecord({
        version: '25.11.0',
        keyValues: [],
        hashes: [{ sha256: 'a'.repeat(64), name: 'contract:volumes' }],
      }),
    );
    const result = await verifyRecordBundle(bundleInput(record, sampleUserData()));
    expect(result.contract.find((check) => check.id === 'contract:volumes')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('has no volumes section'),
    });
    expect(result.contract.find((check) => check.id === 'contract:user-data')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('no cidata/user-data line'),
    });
  });

  it('says when a failing section is a plaintext mapping (its digest rule is inferred)', async () => {
    const userData = 'workload:\n  type: workload\nenv: hyper-protect-basic.ZW52.ZW52\n';
    const record = Buffer.from(
      formatRecord({
        version: '25.11.0',
        keyValues: [],
        hashes: [{ sha256: 'b'.repeat(64), name: 'contract:workload' }],
      }),
    );
    const result = await verifyRecordBundle(bundleInput(record, userData));
    expect(result.contract.find((check) => check.id === 'contract:workload')!.detail).toContain(
      'plaintext',
    );
  });
});

describe('reference values', () => {
  it('parses comments and blank lines, refuses duplicates and junk with the line number', () => {
    const values = parseReferenceValues(
      Buffer.from(`# c\n\n${IMAGE_REFERENCE.baseimage.toUpperCase()}  baseimage \n`),
      'ref.txt',
    );
    expect(values).toEqual([{ sha256: IMAGE_REFERENCE.baseimage, name: 'baseimage', line: 3 }]);
    const codeAndMessage = (text: string) => {
      try {
        parseReferenceValues(Buffer.from(text), 'ref.txt');
      } catch (error) {
        return `${(error as HpvsError).code} ${(error as HpvsError).message}`;
      }
      return 'no error';
    };
    expect(codeAndMessage(`${'a'.repeat(64)} x\n${'b'.repeat(64)} x\n`)).toMatch(
      /^RECORD_INVALID ref\.txt:2: "x" is listed twice/,
    );
    expect(codeAndMessage('root.tar.gz abc\n')).toMatch(/^RECORD_INVALID ref\.txt:1: expected/);
    expect(codeAndMessage('# nothing\n')).toMatch(/no reference values/);
  });
});

describe('verifyBatch without threads (running from source)', () => {
  it('keeps bundle order, turns a folder error into a failed bundle and verifies the rest', async () => {
    const good = makeRecordBundle({
      userData: sampleUserData(),
      attestationKey: attestation.privateKey,
    });
    const results = await verifyBatch(
      [
        {
          name: 'a',
          files: { record: source(good.record, 'a'), signature: source(good.signature, 'a') },
        },
        { name: 'b', error: new HpvsError('FILE_NOT_FOUND', 'b: missing se-signature.bin') },
        {
          name: 'c',
          files: { record: source('garbage', 'c'), signature: source(good.signature, 'c') },
        },
      ],
      {
        certificate: { publicKey: attestation.publicKey, source: 'attestation.crt' },
        options: {},
      },
      Promise.resolve([{ id: 'chain', status: 'pass' as const, detail: 'checked once' }]),
    );
    expect(results.map((result) => [result.name, result.ok, result.error?.code])).toEqual([
      ['a', true, undefined],
      ['b', false, 'FILE_NOT_FOUND'],
      ['c', false, 'RECORD_INVALID'],
    ]);
    expect(results[0]!.checks.map((check) => check.id)).toEqual(['decrypt', 'signature', 'chain']);
  });
});

describe('openRecord: one error for every token that does not open to a record', () => {
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { record, recordFile } = makeRecordBundle({
    userData: sampleUserData(),
    attestationKey: attestation.privateKey,
    auditorPublicKey: auditor.publicKey,
    random: seededRandom('open-record'),
  });
  const token = recordFile.toString();
  const open = (text: string, key = auditor.privateKey) =>
    openRecord(source(text, 'se-checksums.txt.enc'), key, seededRandom('stand-in'));

  it('opens the record token to the exact record bytes', () => {
    const opened = open(token);
    expect(opened.bytes.equals(record)).toBe(true);
    expect(opened.decrypt.status).toBe('pass');
  });

  it('a bad padding, an early-block flip, the wrong key and a plaintext that is no record are indistinguishable', () => {
    const notARecord = encryptSection(
      Buffer.from('type: env\n'),
      auditor.publicKey,
      seededRandom('not a record'),
    );
    const failures = {
      'bad padding (last block)': () => open(tamperToken(token, 'padding-byte')),
      'garbage (first block)': () => open(tamperToken(token, 'early-block')),
      'the wrong key': () => open(token, other.privateKey),
      'text that is not a record': () => open(notARecord),
    };
    for (const [name, failure] of Object.entries(failures)) {
      const error = thrownHpvsError(failure);
      expect({ name, code: error.code, message: error.message, cause: error.cause }).toEqual({
        name,
        code: 'DECRYPTION_FAILED',
        message:
          'se-checksums.txt.enc: the attestation record cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key (tokens carry no integrity check)',
        cause: undefined,
      });
    }
  });

  it('a malformed token is visible without the key and keeps its own message', () => {
    const error = thrownHpvsError(() => open('hyper-protect-basic.!!!.!!!'));
    expect(error.code).toBe('RECORD_INVALID');
    expect(error.message).not.toContain('cannot be opened');
  });
});
