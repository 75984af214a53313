import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem } from '../../src/core/pki/rsa-key-pair.js';
import {
  makeRecordBundle,
  REFERENCE_FILE_TEXT,
  sampleUserData,
  writeRecordBundle,
} from '../helpers/attestation-bundle.js';
import type { CliResult } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import {
  generateTestPki,
  TEST_PKI_AT,
  trustArgs,
  writeTestPki,
  type TestPki,
  type TestPkiFiles,
} from '../helpers/test-pki.js';
import {
  controlCharacterIn,
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  listTree,
  runBounded,
} from './hostile-cli.js';

/**
 * Forged and damaged attestation records, signatures and tokens: each is a FAIL verdict or one
 * clean error, never an abort of the whole verification, never garbage accepted as a record,
 * never a raw escape sequence from the record on the auditor's terminal.
 */
const tempDir = useTempDir('hpvs-adversarial-records-');
let pki: TestPki;
let files: TestPkiFiles;
let dir: string;
const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PASSPHRASE = 'auditor-passphrase-SECRET-9f8e7d';
const USER_DATA = sampleUserData();
const paths = {} as Record<
  'auditorKey' | 'protectedKey' | 'passphrase' | 'contract' | 'reference',
  string
>;
let auditorKeyLine: string;

beforeAll(async () => {
  pki = await generateTestPki();
  dir = tempDir();
  files = writeTestPki(pki, join(dir, 'pki'));
  Object.assign(paths, {
    auditorKey: join(dir, 'auditor.pem'),
    protectedKey: join(dir, 'auditor-protected.pem'),
    passphrase: join(dir, 'passphrase.txt'),
    contract: join(dir, 'user-data.yaml'),
    reference: join(dir, 'reference.txt'),
  });
  const pem = exportPrivateKeyPem(auditor.privateKey);
  writeFileSync(paths.auditorKey, pem, { mode: 0o600 });
  writeFileSync(
    paths.protectedKey,
    exportPrivateKeyPem(auditor.privateKey, Buffer.from(PASSPHRASE)),
    {
      mode: 0o600,
    },
  );
  writeFileSync(paths.passphrase, `${PASSPHRASE}\n`, { mode: 0o600 });
  writeFileSync(paths.contract, USER_DATA);
  writeFileSync(paths.reference, REFERENCE_FILE_TEXT);
  auditorKeyLine = pem.split('\n')[5]!;
}, 60_000);

const secrets = () => [PASSPHRASE, auditorKeyLine];

/** A bundle folder; `change` may damage its record or signature after signing. */
function bundle(
  name: string,
  options: {
    userData?: string;
    extraKeyValues?: [string, string][];
    encrypted?: boolean;
    ownUserData?: string;
    damage?: (files: { record: string; signature: string }) => void;
  } = {},
): { folder: string; record: string; signature: string } {
  const folder = join(dir, name);
  const made = makeRecordBundle({
    userData: options.userData ?? USER_DATA,
    attestationKey: pki.leafKey,
    ...(options.encrypted === false ? {} : { auditorPublicKey: auditor.publicKey }),
    ...(options.extraKeyValues ? { extraKeyValues: options.extraKeyValues } : {}),
  });
  const written = writeRecordBundle(folder, made, options.ownUserData);
  options.damage?.(written);
  return { folder, ...written };
}

function verify(record: string, signature: string, extra: string[] = []): Promise<CliResult> {
  return runBounded([
    ...['attestation', 'verify', '--at', TEST_PKI_AT.toISOString(), '--record', record],
    ...['--signature', signature, '--key', paths.auditorKey, '--cert', files.attestation],
    ...trustArgs(files),
    ...['--contract', paths.contract, '--reference', paths.reference],
    ...extra,
  ]);
}

interface JsonReport {
  ok: boolean;
  checks: { id: string; status: 'pass' | 'fail' | 'skip'; detail: string }[];
}
const statusOf = (report: JsonReport, id: string) =>
  report.checks.find((check) => check.id === id)?.status;

/** Flips one byte in the middle of the AES body of a token file (the RSA part stays valid). */
function flipBodyByte(path: string): void {
  const [prefix, password, body] = readFileSync(path, 'utf8').trim().split('.');
  const bytes = Buffer.from(body!, 'base64');
  // the first ciphertext block after the salt header: its plaintext block turns to garbage
  // while the padding in the last block stays valid
  bytes[16 + 3] = bytes[16 + 3]! ^ 0x5a;
  writeFileSync(path, `${prefix}.${password}.${bytes.toString('base64')}`);
}

describe('the untouched bundle passes (the cases below each change one thing)', () => {
  it('verify exits 0', async () => {
    const { record, signature } = bundle('good');
    const result = await verify(record, signature);
    expectBounded(result, 'good bundle');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});

describe('forged records and signatures', () => {
  it('a flipped signature byte is a FAIL of the signature check, every other check reported', async () => {
    const { record, signature } = bundle('flipped-signature', {
      damage: ({ signature }) => {
        const bytes = readFileSync(signature);
        bytes[10] = bytes[10]! ^ 1;
        writeFileSync(signature, bytes);
      },
    });
    const result = await verify(record, signature, ['--json']);
    expectBounded(result, 'flipped signature');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(statusOf(report, 'signature')).toBe('fail');
    expect(statusOf(report, 'chain')).toBe('pass');
  });

  it.each([
    ['truncated to 100 bytes', (bytes: Buffer) => bytes.subarray(0, 100)],
    ['one byte longer', (bytes: Buffer) => Buffer.concat([bytes, Buffer.from([0])])],
    ['empty', () => Buffer.alloc(0)],
  ])(
    'a signature %s is a FAIL of the signature check with --json still printed (item 17)',
    async (label, change) => {
      const { record, signature } = bundle(`signature-${label.replace(/\W+/g, '-')}`, {
        damage: ({ signature }) => writeFileSync(signature, change(readFileSync(signature))),
      });
      const result = await verify(record, signature, ['--json']);
      expectBounded(result, label);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      const report = JSON.parse(result.stdout) as JsonReport;
      expect(statusOf(report, 'signature')).toBe('fail');
      for (const id of ['decrypt', 'chain', 'validity', 'crl', 'contract:workload']) {
        expect(statusOf(report, id), id).toBe('pass');
      }
    },
  );

  it('a record whose AES body was tampered with is refused like a failed decryption, not accepted as garbage (item 11)', async () => {
    const { record, signature } = bundle('tampered-body', {
      damage: ({ record }) => flipBodyByte(record),
    });
    const result = await verify(record, signature);
    expectCleanFailure(result, 'tampered record body', {
      code: 1,
      report: true,
      message: /record/,
      secrets: secrets(),
    });
    // the same words as a bad padding or a wrong key: anything else would be a padding oracle
    expect(result.stderr).toMatch(
      /the attestation record cannot be opened: the token is corrupted/,
    );
  });

  it('attestation decrypt of a tampered record is refused like a failed decryption and writes nothing (item 11)', async () => {
    const { folder, record } = bundle('tampered-decrypt', {
      damage: ({ record }) => flipBodyByte(record),
    });
    const before = listTree(folder);
    const result = await runBounded([
      ...['attestation', 'decrypt', '--record', record, '--key', paths.protectedKey],
      ...['--passphrase-file', paths.passphrase, '--out', join(folder, 'se-checksums.txt')],
    ]);
    expectCleanFailure(result, 'attestation decrypt tampered', {
      code: 1,
      message: /record/,
      secrets: secrets(),
    });
    expectNothingWritten(folder, before, 'attestation decrypt tampered');
  });

  it('a wrong passphrase for the auditor key is one line without the passphrase or key', async () => {
    const { record, signature } = bundle('wrong-passphrase');
    const wrong = join(dir, 'wrong-passphrase.txt');
    writeFileSync(wrong, `${PASSPHRASE}-not\n`, { mode: 0o600 });
    const result = await runBounded([
      ...['attestation', 'verify', '--at', TEST_PKI_AT.toISOString(), '--record', record],
      ...['--signature', signature, '--key', paths.protectedKey, '--passphrase-file', wrong],
      ...['--cert', files.attestation, ...trustArgs(files)],
    ]);
    expectCleanFailure(result, 'wrong passphrase', {
      code: 1,
      secrets: [...secrets(), `${PASSPHRASE}-not`],
    });
  });
});

describe('escape sequences in a validly signed record never reach the terminal raw (item 14)', () => {
  const HOSTILE_VALUE = '\u001b[2K\u001b[1G\u001b[32mPASS everything\u001b[0m\u0007\u009b31m';

  it.each([
    ['text output', [] as string[]],
    ['--json output', ['--json']],
  ])('%s', async (label, extra) => {
    const { record, signature } = bundle(`escapes-${extra.length}`, {
      extraKeyValues: [['Build note', HOSTILE_VALUE]],
    });
    const result = await verify(record, signature, extra);
    expectBounded(result, label);
    expect(controlCharacterIn(result.stdout), label).toBeUndefined();
    expect(controlCharacterIn(result.stderr), label).toBeUndefined();
  });
});

describe('attestation verify --batch: the auditor\u2019s --contract always wins (item 2)', () => {
  const OTHER_USER_DATA = sampleUserData({ env: 'hyper-protect-basic.T1RIRVI=.b3RoZXItZW52' });

  function batchArgs(batch: string, contract: string): string[] {
    return [
      ...['attestation', 'verify', '--at', TEST_PKI_AT.toISOString(), '--batch', batch],
      ...['--key', paths.auditorKey, '--cert', files.attestation, ...trustArgs(files)],
      ...['--reference', paths.reference, '--contract', contract],
    ];
  }

  it('a bundle booted with other user data, carrying that user data, FAILs against --contract', async () => {
    const batch = join(dir, 'batch-foreign');
    mkdirSync(batch);
    bundle('batch-foreign/instance-1', { userData: OTHER_USER_DATA, ownUserData: OTHER_USER_DATA });
    const other = join(dir, 'other-user-data.yaml');
    writeFileSync(other, OTHER_USER_DATA);
    // the same batch against the user data it was booted with passes: the failure below is
    // the auditor's expectation at work, not a broken bundle
    const control = await runBounded(batchArgs(batch, other));
    expectBounded(control, 'batch against its own user data');
    expect(control.code, control.stdout + control.stderr).toBe(0);
    const result = await runBounded(batchArgs(batch, paths.contract));
    expectBounded(result, 'batch against the auditor contract');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/FAIL/);
  });
});
