import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../helpers/reference.js';
import { isOneLineError, runCli } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import {
  generateSameNameCas,
  generateTestPki,
  TEST_PKI_AT,
  trustArgs,
  writeTestPki,
  type TestPkiFiles,
} from '../helpers/test-pki.js';

const tempDir = useTempDir();
let files: TestPkiFiles;
const AT = ['--at', TEST_PKI_AT.toISOString()];

beforeAll(async () => {
  files = writeTestPki(await generateTestPki(), join(tempDir(), 'pki'));
});

const chainArgs = () => trustArgs(files);

interface CertsReport {
  ok: boolean;
  subject: string;
  serial: string;
  notAfter: string;
  daysLeft: number;
  warnings: string[];
  checks: { id: string; status: string; detail: string }[];
}

describe('hpvs-ctl certs verify', () => {
  it('reports subject, serial, validity and days left, and passes a good encryption certificate', async () => {
    const result = await runCli(['certs', 'verify', files.encryption, ...chainArgs(), ...AT]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^certificate: CN=test encryption, O=hpvs-ctl tests$/m);
    expect(result.stdout).toMatch(/^ {2}serial: 1002 \(4098\)$/m);
    expect(result.stdout).toMatch(/\(265 days left at 2026-06-15T00:00:00\.000Z\)$/m);
    expect(result.stdout).toMatch(/^PASS chain: /m);
    expect(result.stdout).toMatch(/^PASS validity: /m);
    expect(result.stdout).toMatch(/^PASS crl: /m);
    expect(result.stderr).toBe('');
  });

  it('warns under 30 days left, on stderr and in JSON', async () => {
    const text = await runCli(['certs', 'verify', files.nearExpiry, ...chainArgs(), ...AT]);
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/^hpvs-ctl: warning: .*expires in 10 days/);
    const json = await runCli([
      'certs',
      'verify',
      files.nearExpiry,
      ...chainArgs(),
      ...AT,
      '--json',
    ]);
    const report = JSON.parse(json.stdout) as CertsReport;
    expect(report).toMatchObject({ ok: true, serial: '1007', daysLeft: 10 });
    expect(report.warnings).toHaveLength(1);
  });

  it.each([
    ['revoked', 'revoked', [], 'crl'],
    ['expired', 'expired', [], 'validity'],
    ['forged CRL', 'revoked', ['--crl', 'forgedIntermediateCrl'], 'crl'],
  ] as const)('fails a %s certificate in the %s check', async (_name, cert, extra, id) => {
    const args = [
      'certs',
      'verify',
      files[cert],
      '--chain',
      files.intermediate,
      '--root',
      files.root,
      '--crl',
      files.rootCrl,
    ];
    if (extra.length === 0) args.push('--crl', files.intermediateCrl);
    else args.push(extra[0], files[extra[1]]);
    const result = await runCli([...args, ...AT, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as CertsReport;
    expect(report.checks.find((check) => check.id === id)?.status).toBe('fail');
  });

  it('nine CA certificates sharing one name and key: FAIL chain "too many candidate issuers", not minutes of search', async () => {
    const { cas, leaf } = await generateSameNameCas(9);
    const dir = tempDir();
    writeFileSync(join(dir, 'hostile-chain.pem'), cas.join(''));
    writeFileSync(join(dir, 'hostile-leaf.pem'), leaf);
    const result = await runCli([
      'certs',
      'verify',
      join(dir, 'hostile-leaf.pem'),
      '--chain',
      join(dir, 'hostile-chain.pem'),
      '--root',
      files.root,
      ...AT,
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as CertsReport;
    expect(report.checks[0]).toMatchObject({ id: 'chain', status: 'fail' });
    expect(report.checks[0]!.detail).toMatch(/too many candidate issuers/);
  });

  it('a non-PEM file is one line, exit 1', async () => {
    const result = await runCli(['certs', 'verify', files.leafKey, '--root', files.root]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/found a "PRIVATE KEY" PEM block; expected "CERTIFICATE"/);
  });
});

describe.skipIf(!HAS_REFERENCE)(`reference certificates (${REFERENCE_SKIP_REASON})`, () => {
  it('cert-chains/valid-chain passes with --no-crl; invalid-chain and expired-chain fail', async () => {
    const chain = (name: string, ...parts: string[]) =>
      referencePath('fixtures', 'cert-chains', name, ...parts);
    const verifyFixture = (folder: string, leaf: string, intermediate: string) =>
      runCli([
        'certs',
        'verify',
        chain(folder, leaf),
        '--chain',
        chain(folder, intermediate),
        '--root',
        chain(folder, 'root.crt'),
        '--no-crl',
        '--at',
        '2026-06-15',
      ]);
    const valid = await verifyFixture('valid-chain', 'encryption.crt', 'intermediate.crt');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^SKIP crl: /m);
    const invalid = await verifyFixture(
      'invalid-chain',
      'encryption.crt',
      'wrong_intermediate.crt',
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^FAIL chain: /m);
    const expired = await verifyFixture(
      'expired-chain',
      'expired_encryption.crt',
      'intermediate.crt',
    );
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/^FAIL validity: .*expired on 2026-03-09T10:05:43Z/m);
  });

  it('an IBM encryption certificate without its CA: shows serial and validity as openssl does, fails the chain', async () => {
    const ibm = referencePath(
      'ibm-encryption-certs',
      'hpvs',
      'ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
    );
    const result = await runCli(['certs', 'verify', ibm, '--at', '2026-08-01', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as CertsReport;
    expect(report.serial).toBe('C775927D9F86D27D369FAC42B05144AA');
    expect(report.notAfter.slice(0, 10)).toBe('2027-07-06');
    expect(report.checks.map((check) => check.status)).toEqual(['fail', 'pass', 'skip']);
    expect(report.checks[0]!.detail).toMatch(/no --root trust anchor given/);
  });
});
