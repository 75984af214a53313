import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import {
  generateSameNameCas,
  generateTestPki,
  TEST_PKI_AT,
  trustArgs,
  writeTestPki,
  type TestPkiFiles,
} from '../../helpers/test-pki.js';

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

  it("prints IBM's expiry message with four-digit years, and warns under 180 days on stderr and in JSON", async () => {
    const valid = await runCli(['certs', 'verify', files.encryption, ...chainArgs(), ...AT]);
    expect(valid.stdout).toMatch(
      /^ {2}status: Encryption certificate is valid for another 265 days \(until 07-03-2027 00:00:00\)$/m,
    );
    const text = await runCli(['certs', 'verify', files.nearExpiry, ...chainArgs(), ...AT]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^ {2}status: Warning: Encryption certificate will expire in 10 days \(on 25-06-2026 00:00:00\)$/m,
    );
    expect(text.stderr).toMatch(
      /^hpvs-ctl: warning: .*nearExpiry\.pem: Encryption certificate will expire in 10 days \(on 25-06-2026 00:00:00\)/,
    );
    const json = await runCli([
      'certs',
      'verify',
      files.nearExpiry,
      ...chainArgs(),
      ...AT,
      '--json',
    ]);
    const report = JSON.parse(json.stdout) as CertsReport & { expiry: { status: string } };
    expect(report).toMatchObject({ ok: true, serial: '1007', daysLeft: 10 });
    expect(report.expiry.status).toBe('expiring');
    expect(report.warnings).toHaveLength(1);
  });

  it('without --root: chain and CRL are SKIP, dates, key size and key usage are checked, exit 0', async () => {
    const result = await runCli(['certs', 'verify', files.encryption, ...AT, '--json']);
    expect(result.code, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout) as CertsReport;
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['chain', 'skip'],
      ['validity', 'pass'],
      ['crl', 'skip'],
      ['key', 'pass'],
      ['key-usage', 'pass'],
    ]);
    expect(report.checks[4]!.detail).toMatch(/keyUsage .*keyEncipherment/);
    // the attestation certificate is not for encrypting: its key usage fails
    const attestation = await runCli(['certs', 'verify', files.attestation, ...AT]);
    expect(attestation.code).toBe(1);
    expect(attestation.stdout).toMatch(/^FAIL key-usage: .*lacks keyEncipherment/m);
    const expired = await runCli(['certs', 'verify', files.expired, ...AT]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/^FAIL validity: /m);
    expect(expired.stdout).toMatch(
      /status: Encryption certificate has already expired on 01-01-2026/,
    );
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

describe.skipIf(!hasTool('openssl'))(
  '--partial-chain means what openssl verify -partial_chain means',
  () => {
    // [name, leaf, --chain, --root]: the chain verdict with and without --partial-chain
    const cases: [string, () => string, () => string[], () => string][] = [
      ['an intermediate as --root', () => files.encryption, () => [], () => files.intermediate],
      ['the leaf as its own --root', () => files.encryption, () => [], () => files.encryption],
      [
        'the self-signed root',
        () => files.encryption,
        () => [files.intermediate],
        () => files.root,
      ],
    ];
    it.each(cases)('%s', async (_name, leaf, chain, root) => {
      const attime = String(Math.floor(TEST_PKI_AT.getTime() / 1000));
      const untrusted = join(tempDir(), 'untrusted.pem');
      writeFileSync(
        untrusted,
        chain()
          .map((path) => readFileSync(path, 'utf8'))
          .join(''),
      );
      for (const partial of [false, true]) {
        const ours = await runCli([
          'certs',
          'verify',
          leaf(),
          ...chain().flatMap((path) => ['--chain', path]),
          '--root',
          root(),
          '--no-crl',
          ...AT,
          ...(partial ? ['--partial-chain'] : []),
          '--json',
        ]);
        const report = JSON.parse(ours.stdout) as CertsReport;
        const openssl = runTool('openssl', [
          'verify',
          '-attime',
          attime,
          ...(partial ? ['-partial_chain'] : []),
          '-CAfile',
          root(),
          ...(chain().length > 0 ? ['-untrusted', untrusted] : []),
          leaf(),
        ]);
        expect(
          report.checks[0]!.status,
          `partial=${partial}: openssl said ${openssl.stdout.toString()}${openssl.stderr}`,
        ).toBe(openssl.status === 0 ? 'pass' : 'fail');
        expect(ours.code).toBe(openssl.status === 0 ? 0 : 1);
      }
    });

    it('says that the partial anchor itself was not checked for revocation', async () => {
      const result = await runCli([
        'certs',
        'verify',
        files.encryption,
        '--root',
        files.intermediate,
        '--crl',
        files.intermediateCrl,
        '--partial-chain',
        ...AT,
      ]);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(
        /^PASS chain: .*trust anchor \(not self-signed: a trust anchor only because of --partial-chain\)/m,
      );
      expect(result.stdout).toMatch(
        /^PASS crl: .*is not revoked .*; the trust anchor CN=hpvs-ctl Test Intermediate CA.* itself was not checked for revocation \(trusted by --partial-chain without its issuer\)$/m,
      );
      const without = await runCli([
        'certs',
        'verify',
        files.encryption,
        '--root',
        files.intermediate,
        '--crl',
        files.intermediateCrl,
        ...AT,
      ]);
      expect(without.code).toBe(1);
      expect(without.stdout).toMatch(
        /^FAIL chain: .*is not self-signed, so it is not a trust anchor by itself \(pass --partial-chain/m,
      );
    });
  },
);

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

  it('an IBM encryption certificate alone: serial and validity as openssl shows them, chain and CRL SKIP, exit 0', async () => {
    const ibm = referencePath(
      'ibm-encryption-certs',
      'hpvs',
      'ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
    );
    const result = await runCli(['certs', 'verify', ibm, '--at', '2026-08-22', '--json']);
    expect(result.code, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout) as CertsReport & { expiry: { message: string } };
    expect(report.serial).toBe('C775927D9F86D27D369FAC42B05144AA');
    expect(report.notAfter.slice(0, 10)).toBe('2027-07-06');
    expect(report.checks.map((check) => check.status)).toEqual([
      'skip',
      'pass',
      'skip',
      'pass',
      'pass',
    ]);
    expect(report.checks[3]!.detail).toBe('RSA-4096');
    // SPEC-IBM A4.4's examples, with four-digit years
    expect(report.expiry.message).toBe(
      'Encryption certificate is valid for another 318 days (until 06-07-2027 06:44:41)',
    );
  });

  it('every HPVS certificate of the reference passes alone; A4.4 messages for 1.0.28 and ccco 25.12.0', async () => {
    const folder = referencePath('ibm-encryption-certs', 'hpvs');
    for (const name of readdirSync(folder)) {
      const result = await runCli(['certs', 'verify', join(folder, name), '--at', '2026-08-22']);
      expect(result.code, `${name}: ${result.stdout}`).toBe(0);
    }
    const hpvs28 = await runCli([
      'certs',
      'verify',
      join(folder, 'ibm-hyper-protect-container-runtime-1-0-s390x-28-encrypt.crt'),
      '--at',
      '2026-09-01T00:00:00Z',
    ]);
    expect(hpvs28.code).toBe(0);
    expect(hpvs28.stdout).toMatch(
      /status: Warning: Encryption certificate will expire in 176 days \(on 24-02-2027 09:30:55\)$/m,
    );
    const ccco = readdirSync(referencePath('ibm-encryption-certs', 'ccco')).find((name) =>
      name.includes('25.12.0'),
    );
    if (ccco !== undefined) {
      const expired = await runCli([
        'certs',
        'verify',
        referencePath('ibm-encryption-certs', 'ccco', ccco),
        '--at',
        '2026-09-01T00:00:00Z',
      ]);
      expect(expired.code).toBe(1);
      expect(expired.stdout).toMatch(
        /status: Encryption certificate has already expired on 12-08-2026 11:55:40$/m,
      );
    }
  });
});
