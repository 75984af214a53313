import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signRecord } from '../../../src/core/attestation/record-signature.js';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { systemRandom } from '../../../src/node/random.js';
import { exportPrivateKeyPem } from '../../../src/core/pki/rsa-key-pair.js';
import {
  IMAGE_REFERENCE,
  makeRecordBundle,
  REFERENCE_FILE_TEXT,
  sampleUserData,
  writeRecordBundle,
} from '../../helpers/attestation-bundle.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { CLI, isOneLineError, runCli, type CliResult } from '../../helpers/run-cli.js';
import { tamperToken } from '../../helpers/tamper-token.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import {
  generateTestPki,
  TEST_PKI_AT,
  writeTestPki,
  type TestPki,
  trustOptions,
  type TestPkiFiles,
} from '../../helpers/test-pki.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
let pki: TestPki;
let files: TestPkiFiles;
let auditorPrivate: KeyObject;
let dir: string;
const paths = {} as Record<
  | 'plainRecord'
  | 'plainSignature'
  | 'encRecord'
  | 'encSignature'
  | 'auditorKey'
  | 'protectedKey'
  | 'passphrase'
  | 'userData'
  | 'reference',
  string
>;
const USER_DATA = sampleUserData();
const AT = ['--at', TEST_PKI_AT.toISOString()];

beforeAll(async () => {
  pki = await generateTestPki();
  dir = tempDir();
  files = writeTestPki(pki, join(dir, 'pki'));
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  auditorPrivate = auditor.privateKey;
  const plain = writeRecordBundle(
    join(dir, 'plain'),
    makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey }),
  );
  const enc = writeRecordBundle(
    join(dir, 'enc'),
    makeRecordBundle({
      userData: USER_DATA,
      attestationKey: pki.leafKey,
      auditorPublicKey: auditor.publicKey,
    }),
  );
  Object.assign(paths, {
    plainRecord: plain.record,
    plainSignature: plain.signature,
    encRecord: enc.record,
    encSignature: enc.signature,
    auditorKey: join(dir, 'auditor.pem'),
    protectedKey: join(dir, 'auditor-protected.pem'),
    passphrase: join(dir, 'passphrase.txt'),
    userData: join(dir, 'user-data.yaml'),
    reference: join(dir, 'reference.txt'),
  });
  writeFileSync(paths.auditorKey, exportPrivateKeyPem(auditorPrivate), { mode: 0o600 });
  writeFileSync(
    paths.protectedKey,
    exportPrivateKeyPem(auditorPrivate, Buffer.from('correct horse')),
    { mode: 0o600 },
  );
  writeFileSync(paths.passphrase, 'correct horse\n', { mode: 0o600 });
  writeFileSync(paths.userData, USER_DATA);
  writeFileSync(paths.reference, REFERENCE_FILE_TEXT);
});

/** The full flag set of a valid verification, overridable per case. */
function verifyArgs(overrides: Record<string, string | string[] | null> = {}): string[] {
  const flags: Record<string, string | string[] | null> = {
    '--record': paths.encRecord,
    '--key': paths.auditorKey,
    '--signature': paths.encSignature,
    '--cert': files.attestation,
    '--chain': files.intermediate,
    '--root': files.root,
    '--crl': [files.rootCrl, files.intermediateCrl],
    '--contract': paths.userData,
    '--reference': paths.reference,
    ...overrides,
  };
  const args = ['attestation', 'verify', ...AT];
  for (const [flag, value] of Object.entries(flags)) {
    if (value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      args.push(flag, one);
    }
  }
  return args;
}

interface JsonReport {
  ok: boolean;
  version: string;
  checks: { id: string; status: 'pass' | 'fail' | 'skip'; detail: string }[];
}

async function runJson(args: string[]): Promise<{ result: CliResult; report: JsonReport }> {
  const result = await runCli([...args, '--json']);
  return { result, report: JSON.parse(result.stdout) as JsonReport };
}

const statusOf = (report: JsonReport, id: string) =>
  report.checks.find((check) => check.id === id)?.status;

function tampered(name: string, change: (bytes: Buffer) => Buffer, from: string): string {
  const path = join(dir, name);
  writeFileSync(path, change(readFileSync(from)));
  return path;
}

describe('hpvs-ctl attestation verify: valid combinations pass', () => {
  it('encrypted record, key, chain, CRLs, contract and reference: every check passes, exact JSON shape', async () => {
    const { result, report } = await runJson(verifyArgs());
    expect(result.code).toBe(0);
    expect(Object.keys(report)).toEqual([
      'ok',
      'version',
      'machine',
      'imageAge',
      'facts',
      'entries',
      'checksums',
      'sha256_in',
      'checks',
    ]);
    expect(report.ok).toBe(true);
    expect(report.version).toBe('25.11.0');
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['decrypt', 'pass'],
      ['signature', 'pass'],
      ['chain', 'pass'],
      ['validity', 'pass'],
      ['crl', 'pass'],
      ['contract:user-data', 'pass'],
      ['contract:workload', 'pass'],
      ['contract:env', 'pass'],
      ['contract:attestationPublicKey', 'pass'],
      ['contract:envWorkloadSignature', 'pass'],
      ['reference:root.tar.gz', 'pass'],
      ['reference:baseimage', 'pass'],
    ]);
    for (const check of report.checks)
      expect(Object.keys(check)).toEqual(['id', 'status', 'detail']);
    const summary = report as unknown as Record<string, unknown>;
    expect(summary.machine).toBe('9175/02/C25B8');
    expect(summary.imageAge).toEqual({ text: '3 days since creation.', days: 3 });
    expect(summary.checksums).toMatchObject({
      'root.tar.gz': IMAGE_REFERENCE['root.tar.gz'],
      baseimage: IMAGE_REFERENCE.baseimage,
      'cidata/user-data': createHash('sha256').update(USER_DATA).digest('hex'),
    });
    // the record file as given (here the token)
    expect(summary.sha256_in).toBe(
      createHash('sha256').update(readFileSync(paths.encRecord)).digest('hex'),
    );
  });

  it.each<[string, Record<string, string | string[] | null>, string[]]>([
    [
      'plaintext record, no key',
      { '--record': 'plain', '--signature': 'plainSig', '--key': null },
      [],
    ],
    [
      'protected key with --passphrase-file',
      { '--key': 'protectedKey' },
      ['--passphrase-file', 'passphrase'],
    ],
    ['no contract, no reference', { '--contract': null, '--reference': null }, []],
    ['encryption-free chain bundle (PEM bundle as --chain)', { '--chain': 'bundle' }, []],
    ['--no-crl without CRLs (visible skip)', { '--crl': null }, ['--no-crl']],
  ])('%s', async (_name, raw, extra) => {
    const resolve = (value: string | string[] | null) => {
      if (value === 'plain') return paths.plainRecord;
      if (value === 'plainSig') return paths.plainSignature;
      if (value === 'protectedKey') return paths.protectedKey;
      if (value === 'bundle') {
        const bundle = join(dir, 'chain-bundle.pem');
        writeFileSync(bundle, pki.pem.intermediate + pki.pem.root);
        return bundle;
      }
      return value;
    };
    const overrides = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, resolve(v)]));
    const args = [
      ...verifyArgs(overrides),
      ...extra.map((e) => (e === 'passphrase' ? paths.passphrase : e)),
    ];
    const { result, report } = await runJson(args);
    expect(result.code, result.stderr).toBe(0);
    expect(report.ok).toBe(true);
    if (extra.includes('--no-crl')) {
      expect(statusOf(report, 'crl')).toBe('skip');
      expect(report.checks.find((check) => check.id === 'crl')!.detail).toContain('--no-crl');
    }
  });

  it('a self-signed attestation certificate as its own --root, --no-crl, text output', async () => {
    const bundle = makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey });
    const written = writeRecordBundle(join(dir, 'self'), bundle);
    const result = await runCli(
      story.attestationVerify({
        at: TEST_PKI_AT.toISOString(),
        record: written.record,
        signature: written.signature,
        cert: files.selfSigned,
        root: files.selfSigned,
        noCrl: true,
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^record 25\.11\.0: .*se-checksums\.txt \(\d+ bytes, 7 hash lines\)$/m,
    );
    expect(result.stdout).toMatch(/^PASS signature: /m);
    expect(result.stdout).toMatch(/^PASS chain: .*itself a given trust anchor$/m);
    expect(result.stdout).toMatch(/^SKIP crl: /m);
    expect(result.stdout).toMatch(/^verdict: OK/m);
  });

  it('shows record lines it does not recognise instead of dropping them', async () => {
    const record = Buffer.from(
      `25.11.0\nMachine Type/Plant/Serial: 1/2/3\na line from a future image\n${'ab'.repeat(32)} baseimage`,
    );
    const recordPath = join(dir, 'odd-record.txt');
    const signaturePath = join(dir, 'odd-signature.bin');
    writeFileSync(recordPath, record);
    writeFileSync(signaturePath, signRecord(record, pki.leafKey));
    const result = await runCli(
      story.attestationVerify({
        at: TEST_PKI_AT.toISOString(),
        record: recordPath,
        signature: signaturePath,
        cert: files.attestation,
        ...trustOptions(files),
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('line 3 (not recognised, kept): a line from a future image');
  });
});

describe('hpvs-ctl attestation: a forged record cannot drive the terminal', () => {
  /** Lines a forger would add to hide the FAIL verdict: cursor up, erase line, a fake verdict. */
  const HOSTILE = [
    'Machine Type/Plant/Serial: 1/2/3\u001b[31m',
    '\u001b[1A\u001b[2Kverdict: OK (13 checks passed)',
    'bidi \u202eKO :tcidrev\u202c and C1 \u009b2J',
    'carriage\rverdict: OK',
  ];
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  it('verify prints its lines escaped, and the one verdict line is the real one', async () => {
    const record = Buffer.from(`25.11.0\n${HOSTILE.join('\n')}\n${'ab'.repeat(32)} baseimage`);
    const recordPath = join(dir, 'forged-record.txt');
    const signaturePath = join(dir, 'forged-signature.bin');
    writeFileSync(recordPath, record);
    // signed by a key that is not the attestation certificate's
    writeFileSync(signaturePath, signRecord(record, auditorPrivate));
    const args = story.attestationVerify({
      at: TEST_PKI_AT.toISOString(),
      record: recordPath,
      signature: signaturePath,
      cert: files.attestation,
      ...trustOptions(files),
    });
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout).toContain('\\x1b[1A\\x1b[2Kverdict: OK (13 checks passed)');
    expect(result.stdout).toContain('\\u202eKO :tcidrev\\u202c and C1 \\x9b2J');
    expect(result.stdout).toContain('carriage\\rverdict: OK');
    expect(result.stdout.split('\n').filter((line) => line.startsWith('verdict:'))).toEqual([
      expect.stringMatching(/^verdict: FAILED/),
    ]);
    const json = await runJson(args);
    expect(json.result.stdout).not.toMatch(UNSAFE);
    expect(json.report.ok).toBe(false);

    // the batch table shows folder names and record versions escaped too
    const batch = join(dir, 'forged-batch');
    const bundle = join(batch, 'b\u001b[2Kx');
    mkdirSync(bundle, { recursive: true });
    copyFileSync(recordPath, join(bundle, 'se-checksums.txt'));
    copyFileSync(signaturePath, join(bundle, 'se-signature.bin'));
    const table = await runCli(
      story.attestationVerify({
        at: TEST_PKI_AT.toISOString(),
        batch,
        cert: files.attestation,
        ...trustOptions(files),
      }),
    );
    expect(table.code).toBe(1);
    expect(table.stdout).not.toMatch(UNSAFE);
    expect(table.stdout).toMatch(/^b\\x1b\[2Kx +25\.11\.0 +FAIL /m);

    // a folder name that is not UTF-8 is one failed bundle, shown with its bytes
    mkdirSync(Buffer.from(`${batch}/caf\xe9`, 'latin1'));
    const named = await runCli(
      story.attestationVerify({
        at: TEST_PKI_AT.toISOString(),
        batch,
        cert: files.attestation,
        ...trustOptions(files),
      }),
    );
    expect(named.code).toBe(1);
    expect(named.stderr).toBe('');
    expect(named.stdout).toMatch(
      /^caf\\xe9 +- +FAIL +error: .*caf\\xe9: the folder name is not valid UTF-8: rename it$/m,
    );
  });

  /** An encrypted record for the test's auditor key, with an escape sequence in a value. */
  function hostileEncryptedRecord(): { path: string; record: Buffer } {
    const { record } = makeRecordBundle({
      userData: USER_DATA,
      attestationKey: pki.leafKey,
      extraKeyValues: [['Note', '\u001b[2J\u009b31m']],
    });
    const path = join(dir, 'hostile-record.txt.enc');
    writeFileSync(path, encryptSection(record, createPublicKey(auditorPrivate), systemRandom));
    return { path, record };
  }

  it('decrypt writes the exact record bytes to a pipe', async () => {
    const { path, record } = hostileEncryptedRecord();
    const piped = await runCli(story.attestationDecrypt({ record: path, key: paths.auditorKey }));
    expect(piped.code).toBe(0);
    expect(piped.stdoutBytes.equals(record)).toBe(true);
  });

  it.skipIf(!hasTool('script'))('decrypt escapes the record on a terminal', () => {
    const { path } = hostileEncryptedRecord();
    const args = ['attestation', 'decrypt', '--record', path, '--key', paths.auditorKey];
    // `script` runs the command on a pseudo-terminal, as a user at a shell would
    const shown = runTool('script', [
      '-qec',
      [process.execPath, CLI, ...args].map(shellQuote).join(' '),
      '/dev/null',
    ]);
    expect(shown.status).toBe(0);
    const text = shown.stdout.toString('utf8');
    expect(text).toContain('Note: \\x1b[2J\\x9b31m');
    expect(text).not.toMatch(/[\u001b\u009b]/);
  });
});

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

describe('hpvs-ctl attestation verify: the tamper matrix', () => {
  const flipByte = (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy[20] = copy[20]! ^ 0x01;
    return copy;
  };
  const cases: [string, string, () => Record<string, string | string[] | null>][] = [
    [
      'a byte flipped in the record',
      'signature',
      () => ({
        '--record': tampered('flipped.txt', flipByte, paths.plainRecord),
        '--signature': paths.plainSignature,
        '--key': null,
      }),
    ],
    [
      'a different signature',
      'signature',
      () => ({
        '--signature': tampered(
          'other-sig.bin',
          () => signRecord(Buffer.from('another record'), pki.leafKey),
          paths.encSignature,
        ),
      }),
    ],
    [
      'the wrong attestation certificate',
      'signature',
      () => ({ '--cert': files.otherAttestation }),
    ],
    ['a revoked leaf', 'crl', () => ({ '--cert': files.revoked })],
    [
      'a forged CRL',
      'crl',
      () => ({ '--cert': files.revoked, '--crl': [files.rootCrl, files.forgedIntermediateCrl] }),
    ],
    ['an expired CRL', 'crl', () => ({ '--crl': [files.rootCrl, files.expiredIntermediateCrl] })],
    ['an expired leaf', 'validity', () => ({ '--cert': files.expired })],
    ['a not-yet-valid leaf', 'validity', () => ({ '--cert': files.notYetValid })],
    [
      'a broken chain (wrong intermediate)',
      'chain',
      () => ({ '--chain': files.wrongIntermediate }),
    ],
    [
      'a contract differing in one byte',
      'contract:user-data',
      () => ({
        '--contract': tampered(
          'user-data-1byte.yaml',
          () => Buffer.from(sampleUserData({ comment: 'deployed by the test suitE' })),
          paths.userData,
        ),
      }),
    ],
    [
      'a contract:env mismatch',
      'contract:env',
      () => ({
        '--contract': tampered(
          'user-data-env.yaml',
          () => Buffer.from(sampleUserData({ env: 'hyper-protect-basic.ZW52.b3RoZXI=' })),
          paths.userData,
        ),
      }),
    ],
    [
      'a reference value mismatch',
      'reference:root.tar.gz',
      () => ({
        '--reference': tampered(
          'reference-bad.txt',
          (b) => Buffer.from(b.toString().replace('b15f', 'b15e')),
          paths.reference,
        ),
      }),
    ],
  ];
  it.each(cases)('%s fails the %s check', async (_name, id, overrides) => {
    const { result, report } = await runJson(verifyArgs(overrides()));
    expect(result.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(statusOf(report, id), JSON.stringify(report.checks, null, 1)).toBe('fail');
    const failed = report.checks
      .filter((check) => check.status === 'fail')
      .map((check) => check.id);
    if (id === 'contract:env') {
      expect(failed).toEqual(['contract:user-data', 'contract:env']);
    } else {
      expect(failed).toEqual([id]);
    }
  });

  it('names the revoked certificate, its serial, the date and the CRL issuer', async () => {
    const result = await runCli(verifyArgs({ '--cert': files.revoked }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL crl: attestation certificate CN=test revoked attestation, O=hpvs-ctl tests \(serial 1003\) was revoked on 2026-05-01T00:00:00Z by the CRL of CN=hpvs-ctl Test Intermediate CA, O=hpvs-ctl tests$/m,
    );
    expect(result.stdout).toMatch(/^verdict: FAILED \(1 of 12 checks failed\)$/m);
  });

  it('a missing CRL fails unless --no-crl', async () => {
    const { result, report } = await runJson(verifyArgs({ '--crl': files.rootCrl }));
    expect(result.code).toBe(1);
    expect(statusOf(report, 'crl')).toBe('fail');
  });
});

describe('hpvs-ctl attestation verify --partial-chain', () => {
  it('an intermediate given as --root is a trust anchor only with --partial-chain', async () => {
    const args = verifyArgs({
      '--chain': null,
      '--root': files.intermediate,
      '--crl': files.intermediateCrl,
    });
    const { result, report } = await runJson(args);
    expect(result.code).toBe(1);
    expect(statusOf(report, 'chain')).toBe('fail');
    expect(report.checks.find((check) => check.id === 'chain')!.detail).toMatch(
      /is not self-signed, so it is not a trust anchor by itself/,
    );
    const partial = await runJson([...args, '--partial-chain']);
    expect(partial.result.code, partial.result.stdout).toBe(0);
    expect(partial.report.checks.find((check) => check.id === 'crl')!.detail).toMatch(
      /itself was not checked for revocation \(trusted by --partial-chain without its issuer\)/,
    );
  });
});

describe('hpvs-ctl attestation verify: a signature of the wrong length', () => {
  it('is a FAIL of the signature check, every other check still reported, JSON still printed', async () => {
    const short = tampered('short.bin', (b) => b.subarray(0, 100), paths.encSignature);
    const { result, report } = await runJson(verifyArgs({ '--signature': short }));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(report.ok).toBe(false);
    const signature = report.checks.find((check) => check.id === 'signature')!;
    expect(signature.status).toBe('fail');
    expect(signature.detail).toMatch(/100 bytes, but a signature by the 4096-bit key .* has 512/);
    const others = report.checks.filter((check) => check.id !== 'signature');
    expect(others.map((check) => check.id)).toEqual(
      expect.arrayContaining(['decrypt', 'chain', 'validity', 'crl', 'contract:user-data']),
    );
    expect(others.every((check) => check.status === 'pass')).toBe(true);
    const text = await runCli(verifyArgs({ '--signature': short }));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL signature: .*100 bytes/m);
    expect(text.stdout).toMatch(/^verdict: FAILED \(1 of \d+ checks failed\)$/m);
  });
});

describe('hpvs-ctl attestation verify: bad input is one clear line, exit 1', () => {
  it.each<[string, () => Record<string, string | string[] | null>, RegExp]>([
    [
      'a malformed record',
      () => ({
        '--record': tampered('garbage.txt', () => Buffer.from('hello world\n'), paths.plainRecord),
        '--key': null,
      }),
      /expected the image version/,
    ],
    ['a non-PEM certificate', () => ({ '--cert': paths.reference }), /not a certificate/],
    [
      'the wrong private key',
      () => ({ '--key': files.otherLeafKey }),
      /the attestation record cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key/,
    ],
    [
      'an encrypted record without --key',
      () => ({ '--key': null }),
      /is encrypted: give the auditor's private key with --key/,
    ],
    [
      'a corrupted token',
      () => ({
        '--record': tampered(
          'bad.enc',
          (b) => Buffer.from(b.toString().replace(/\.[^.]+$/, '.!!!')),
          paths.encRecord,
        ),
      }),
      /not valid base64/,
    ],
    ['a missing file', () => ({ '--crl': join(dir, 'nope.crl') }), /nope\.crl: CRL file not found/],
    [
      'a bad reference file',
      () => ({ '--reference': paths.userData }),
      /expected "<64 hex sha256> <name>"/,
    ],
  ])('%s', async (_name, overrides, message) => {
    const result = await runCli(verifyArgs(overrides()));
    expect(result.code, result.stderr).toBe(result.stderr.includes('--key') ? 2 : 1);
    expect(isOneLineError(result.stderr), result.stderr).toBe(true);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('a bad padding, an early-block flip and the wrong key give byte-identical stderr (no padding oracle)', async () => {
    const token = readFileSync(paths.encRecord, 'utf8');
    const probe = join(dir, 'probe', 'se-checksums.txt.enc');
    mkdirSync(join(dir, 'probe'), { recursive: true });
    const outcomes: string[] = [];
    for (const [content, key] of [
      [tamperToken(token, 'padding-byte'), paths.auditorKey],
      [tamperToken(token, 'early-block'), paths.auditorKey],
      [token, files.otherLeafKey],
    ] as const) {
      writeFileSync(probe, content);
      const result = await runCli(verifyArgs({ '--record': probe, '--key': key }));
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stdout).toBe('');
      outcomes.push(`${result.code} ${result.stderr}`);
    }
    expect(outcomes[0]).toMatch(
      /^1 .*se-checksums\.txt\.enc: the attestation record cannot be opened: /,
    );
    expect(new Set(outcomes).size, outcomes.join('')).toBe(1);
  });

  it('usage errors exit 2: no --record, a bad --at', async () => {
    const noRecord = await runCli(['attestation', 'verify', '--cert', files.attestation]);
    expect(noRecord.code).toBe(2);
    const badAt = await runCli(verifyArgs({ '--at': 'yesterday' }));
    expect(badAt.code).toBe(2);
    expect(badAt.stderr).toMatch(/--at "yesterday"/);
  });
});

describe('hpvs-ctl attestation decrypt', () => {
  it('writes the exact record bytes (no final newline added), to stdout or --out', async () => {
    const expected = makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey }).record;
    const stdout = await runCli(
      story.attestationDecrypt({ record: paths.encRecord, key: paths.auditorKey }),
    );
    expect(stdout.code).toBe(0);
    expect(stdout.stdoutBytes.equals(expected)).toBe(true);
    const out = join(dir, 'decrypted.txt');
    const written = await runCli(
      story.attestationDecrypt({
        record: paths.encRecord,
        key: paths.protectedKey,
        passphraseFile: paths.passphrase,
        out,
      }),
    );
    expect(written.code).toBe(0);
    expect(readFileSync(out).equals(expected)).toBe(true);
  });

  it.skipIf(!hasTool('openssl'))(
    "--json describes the record written to --out: header, entries, Terraform's map, digests",
    async () => {
      const expected = makeRecordBundle({
        userData: USER_DATA,
        attestationKey: pki.leafKey,
      }).record;
      const out = join(dir, 'decrypted-json.txt');
      const result = await runCli(
        story.attestationDecrypt({
          record: paths.encRecord,
          key: paths.auditorKey,
          out,
          json: true,
        }),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(out).equals(expected)).toBe(true);
      const document = JSON.parse(result.stdout);
      // the map from the record's lines, read here independently of the parser
      const lines = expected.toString('utf8').split('\n');
      const hashLines = lines
        .map((line) => /^([0-9a-f]{64}) (.+)$/.exec(line))
        .filter((match) => match !== null);
      expect(document).toEqual({
        out,
        bytes: expected.length,
        version: '25.11.0',
        machine: '9175/02/C25B8',
        imageAge: { text: '3 days since creation.', days: 3 },
        facts: [
          { key: 'Machine Type/Plant/Serial', value: '9175/02/C25B8' },
          { key: 'Image age', value: '3 days since creation.' },
        ],
        entries: hashLines.map((match) => ({ sha256: match[1], name: match[2] })),
        checksums: Object.fromEntries(hashLines.map((match) => [match[2], match[1]])),
        sha256_in: runTool('openssl', ['dgst', '-sha256', '-r'], readFileSync(paths.encRecord))
          .stdout.toString()
          .split(' ')[0],
        // the decrypted record's digest is withheld like every decrypted output's
        sha256_out: null,
      });
      expect(Object.keys(document.checksums)).toContain('contract:env');
      // --json needs --out: the record itself is not printed
      const noOut = await runCli(
        story.attestationDecrypt({ record: paths.encRecord, key: paths.auditorKey, json: true }),
      );
      expect(noOut.code).toBe(2);
      expect(noOut.stdout).toBe('');
    },
  );

  it('refuses the wrong key and a plaintext record with one line', async () => {
    const wrong = await runCli(
      story.attestationDecrypt({ record: paths.encRecord, key: files.leafKey }),
    );
    expect(wrong.code).toBe(1);
    expect(isOneLineError(wrong.stderr)).toBe(true);
    const plain = await runCli(
      story.attestationDecrypt({ record: paths.plainRecord, key: paths.auditorKey }),
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/already plaintext/);
  });
});

describe('hpvs-ctl attestation verify --batch', () => {
  it("verifies every bundle folder, uses each folder's user-data.yaml, prints a table and fails when one bundle fails", async () => {
    const batch = join(dir, 'batch');
    const auditorPublic = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPath = join(dir, 'batch-auditor.pem');
    writeFileSync(keyPath, exportPrivateKeyPem(auditorPublic.privateKey), { mode: 0o600 });
    for (let i = 1; i <= 5; i++) {
      const userData = sampleUserData({ comment: `instance ${i}` });
      const bundle = makeRecordBundle({
        userData,
        attestationKey: pki.leafKey,
        auditorPublicKey: auditorPublic.publicKey,
      });
      writeRecordBundle(join(batch, `instance-${i}`), bundle, userData);
    }
    // instance-6: its user-data differs from what the record attests
    const bundle6 = makeRecordBundle({
      userData: sampleUserData({ comment: 'instance 6' }),
      attestationKey: pki.leafKey,
      auditorPublicKey: auditorPublic.publicKey,
    });
    writeRecordBundle(
      join(batch, 'instance-6'),
      bundle6,
      sampleUserData({ comment: 'instance 6!' }),
    );
    // instance-7: no signature
    mkdirSync(join(batch, 'instance-7'));
    copyFileSync(
      join(batch, 'instance-1', 'se-checksums.txt.enc'),
      join(batch, 'instance-7', 'se-checksums.txt.enc'),
    );
    const base = story.attestationVerify({
      at: TEST_PKI_AT.toISOString(),
      batch,
      key: keyPath,
      cert: files.attestation,
      ...trustOptions(files),
      reference: paths.reference,
    });
    const text = await runCli(base);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^instance-1 +25\.11\.0 +PASS$/m);
    expect(text.stdout).toMatch(/^instance-6 +25\.11\.0 +FAIL +FAIL contract:user-data$/m);
    expect(text.stdout).toMatch(/^instance-7 +- +FAIL +error: .*missing se-signature\.bin$/m);
    expect(text.stdout).toMatch(/^7 bundles: 5 passed, 2 failed$/m);

    const json = await runCli([...base, '--json']);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      bundles: { bundle: string; ok: boolean; checks: JsonReport['checks'] }[];
    };
    expect(report.ok).toBe(false);
    expect(report.bundles.map((b) => [b.bundle, b.ok])).toEqual([
      ['instance-1', true],
      ['instance-2', true],
      ['instance-3', true],
      ['instance-4', true],
      ['instance-5', true],
      ['instance-6', false],
      ['instance-7', false],
    ]);
    expect(report.bundles[0]!.checks.map((check) => check.id)).toContain('contract:env');
    const first = report.bundles[0] as unknown as Record<string, unknown>;
    expect(first.machine).toBe('9175/02/C25B8');
    expect(first.checksums).toMatchObject({ 'root.tar.gz': IMAGE_REFERENCE['root.tar.gz'] });
    // a bundle whose record could not be read has no summary
    expect((report.bundles[6] as unknown as Record<string, unknown>).checksums).toBeNull();

    const passing = join(dir, 'batch-ok');
    for (const name of ['instance-1', 'instance-2']) {
      mkdirSync(join(passing, name), { recursive: true });
      for (const file of ['se-checksums.txt.enc', 'se-signature.bin', 'user-data.yaml']) {
        copyFileSync(join(batch, name, file), join(passing, name, file));
      }
    }
    const broken = await runCli(
      base.map((arg) => (arg === files.intermediate ? files.wrongIntermediate : arg)),
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^ {2}FAIL chain: /m);
    expect(broken.stdout).toMatch(/^instance-1 +25\.11\.0 +FAIL +FAIL chain, skip crl$/m);

    // an unreadable trust file after the threads started: one line, and the process ends
    const badRoot = await runCli(base.map((arg) => (arg === files.root ? paths.reference : arg)));
    expect(badRoot.code).toBe(1);
    expect(isOneLineError(badRoot.stderr), badRoot.stderr).toBe(true);

    const ok = await runCli(base.map((arg) => (arg === batch ? passing : arg)));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^2 bundles: 2 passed, 0 failed$/m);
  });
});

describe("hpvs-ctl attestation verify --batch --contract: the auditor's expectation wins", () => {
  it('fails a bundle booted with other user data even when its own user-data.yaml matches its record', async () => {
    const batch = join(dir, 'batch-expected');
    const other = sampleUserData({ comment: 'not what the auditor approved' });
    // booted with other user data, and honestly carrying that user data
    writeRecordBundle(
      join(batch, 'a-foreign'),
      makeRecordBundle({ userData: other, attestationKey: pki.leafKey }),
      other,
    );
    // booted with the expected user data, carrying a different user-data.yaml
    writeRecordBundle(
      join(batch, 'b-mislabelled'),
      makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey }),
      other,
    );
    // booted with the expected user data, with or without a copy of it
    writeRecordBundle(
      join(batch, 'c-same'),
      makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey }),
      USER_DATA,
    );
    writeRecordBundle(
      join(batch, 'd-none'),
      makeRecordBundle({ userData: USER_DATA, attestationKey: pki.leafKey }),
    );
    const args = story.attestationVerify({
      at: TEST_PKI_AT.toISOString(),
      batch,
      cert: files.attestation,
      ...trustOptions(files),
      contract: paths.userData,
      json: true,
    });
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as {
      bundles: { bundle: string; ok: boolean; checks: JsonReport['checks'] }[];
    };
    const status = (bundle: string, id: string) =>
      report.bundles.find((b) => b.bundle === bundle)!.checks.find((c) => c.id === id)?.status;
    expect(report.bundles.map((b) => [b.bundle, b.ok])).toEqual([
      ['a-foreign', false],
      ['b-mislabelled', false],
      ['c-same', true],
      ['d-none', true],
    ]);
    expect(status('a-foreign', 'contract:user-data')).toBe('fail');
    expect(status('a-foreign', 'contract:bundle-user-data')).toBe('fail');
    expect(status('b-mislabelled', 'contract:user-data')).toBe('pass');
    expect(status('b-mislabelled', 'contract:bundle-user-data')).toBe('fail');
    expect(status('c-same', 'contract:bundle-user-data')).toBe('pass');
    expect(status('d-none', 'contract:user-data')).toBe('pass');
    expect(status('d-none', 'contract:bundle-user-data')).toBeUndefined();
    const detail = report.bundles[0]!.checks.find((c) => c.id === 'contract:user-data')!.detail;
    expect(detail).toContain(paths.userData);
  });
});

/** SPEC-IBM A8.3: Terraform's map for the 25.11.0 record, as IBM documents it [verified]. */
const A8_3_CHECKSUMS = {
  '/dev/disk/by-label/cidata': '43c72217fd65439196ae6e989511f8f6ec2cc715da98d2bdb901df00500c3079',
  'AP(1):secret': '42766688f5ff825316e1c21f7f181017feac63f0e418038f9b4739b62b7f95e4',
  baseimage: 'ec56a5903ecf4823c4e7b076c30d4cdf62e88d0dd87efb0762f4d445f383d8b6',
  'cidata/meta-data': '2a89d70af28b095c767ebcf9b0654ca59a328377519988c11da5d4e0de17b7c4',
  'cidata/user-data': 'c5d20c46d921fde43d7d4106ff92cafd104331250ff382d48f42f31c033accc4',
  'cidata/vendor-data': '1cffcfefd1c8d758f2c285275714ed040c39945f80fb52638ac630fcb7b52e1c',
  'contract:attestationPublicKey':
    '97285dd941e3f1a321b1ac914d7a29ba4492e9203b6284c0d4c92f5f0d61dbfb',
  'contract:env': '268d6c045b2d8a5e1a67d9e88ff101a04af1bc11cdd35067a80291fb8dca8f84',
  'contract:workload': '97b38579c16f0f3c0e25d5cc6582f958d867eab77d082a91576d1beacbda11e4',
  'root.tar.gz': 'b15f712f9164f8c246fa68973881055efec9f1001ef41c66f5eb928ed6119e0a',
  sbom: '9958cb29efcb0d86a0beab6be3f475ccd6e2d56caa49971ea9fb81c76b3e24f2',
  'uv_firmware.state': 'd11f8df836e876d68ff39a4ee57a886ca20f5874a04cd638b388ea393c3b9273',
};

describe.skipIf(!HAS_REFERENCE)(`reference attestation fixtures (${REFERENCE_SKIP_REASON})`, () => {
  const fixture = (...parts: string[]) => referencePath('fixtures', ...parts);

  it('attestation-25.11.0 verifies with its self-signed certificate, and fails after one appended newline', async () => {
    const args = (record: string) =>
      story.attestationVerify({
        record,
        signature: fixture('attestation-25.11.0', 'se-signature.bin'),
        cert: fixture('attestation-25.11.0', 'attestation.crt'),
        root: fixture('attestation-25.11.0', 'attestation.crt'),
        json: true,
      });
    const good = await runCli(args(fixture('attestation-25.11.0', 'se-checksums.txt')));
    expect(good.code).toBe(0);
    // Terraform's hpcr_attestation checksums for this record (SPEC-IBM A8.3), and its header
    const document = JSON.parse(good.stdout);
    expect(document.checksums).toEqual(A8_3_CHECKSUMS);
    expect(document.version).toBe('25.11.0');
    expect(document.machine).toBe('9175/02/C25B8');
    expect(document.imageAge).toEqual({ text: '3 days since creation.', days: 3 });
    expect(document.facts).toContainEqual({ key: 'AP device present', value: 'true' });
    expect(document.entries).toHaveLength(12);
    expect(document.entries[0]).toEqual({
      sha256: A8_3_CHECKSUMS['AP(1):secret'],
      name: 'AP(1):secret',
    });
    expect(document.sha256_in).toBe(
      createHash('sha256')
        .update(readFileSync(fixture('attestation-25.11.0', 'se-checksums.txt')))
        .digest('hex'),
    );
    const withNewline = join(dir, 'se-checksums-newline.txt');
    writeFileSync(
      withNewline,
      Buffer.concat([
        readFileSync(fixture('attestation-25.11.0', 'se-checksums.txt')),
        Buffer.from('\n'),
      ]),
    );
    const bad = await runCli(args(withNewline));
    expect(bad.code).toBe(1);
    expect(statusOf(JSON.parse(bad.stdout) as JsonReport, 'signature')).toBe('fail');
  });

  it.each([
    ['attestation-24.3.3', '24.3.3', 'workload'],
    ['attestation-25.11.0', '0.0.0', 'contract: workload'],
  ])('%s .enc decrypts to the %s record', async (name, version, workloadName) => {
    const result = await runCli(
      story.attestationDecrypt({
        record: fixture(name, 'se-checksums.txt.enc'),
        key: fixture(name, 'private.pem'),
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(version);
    expect(result.stdout).toMatch(new RegExp(`^[0-9a-f]{64} ${workloadName}$`, 'm'));
  });
});
