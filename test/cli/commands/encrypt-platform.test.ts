import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue, newestValid } from '../../../src/core/catalogue/certificate-catalogue.js';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import { PLATFORMS } from '../../../src/core/platforms/platforms.js';
import { makeSelfSignedCertificate, mapLimit, opensslDate } from '../../helpers/openssl.js';
import { isOneLineError, PROJECT_ROOT, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-encrypt-platform-');
const SECTION = 'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n';
const DAY = 24 * 60 * 60 * 1000;
const certFile = (platform: string, version: string) => {
  const entry = IBM_CERTIFICATES.find((e) => e.platform === platform && e.version === version)!;
  return join(PROJECT_ROOT, 'certs/ibm', platform, entry.file);
};

/** The token's shape as openssl's recipe makes it: RSA-4096 wrapped password, `Salted__` data. */
function expectRecipeShape(token: string, prefix: string): void {
  const [head, wrapped, data, ...rest] = token.trim().split('.');
  expect(rest).toEqual([]);
  expect(head).toBe(prefix);
  expect(Buffer.from(wrapped!, 'base64')).toHaveLength(512);
  const body = Buffer.from(data!, 'base64');
  expect(body.subarray(0, 8).toString('latin1')).toBe('Salted__');
  expect((body.length - 16) % 16).toBe(0);
}

describe('hpvs-ctl encrypt --platform', () => {
  let section: string;
  beforeAll(() => {
    section = join(tempDir(), 'env.yaml');
    writeFileSync(section, SECTION);
  });

  it('encrypts for every current catalogue certificate with its platform prefix, and says which', async () => {
    const current = IBM_CERTIFICATES.filter((entry) => new Date(entry.notAfter) > new Date());
    expect(current.length).toBeGreaterThanOrEqual(11);
    await mapLimit(current, 4, async (entry) => {
      const result = await runCli(
        story.encrypt({ file: section, platform: entry.platform, certVersion: entry.version }),
      );
      expect(result.code, result.stderr).toBe(0);
      expectRecipeShape(result.stdout, PLATFORMS[entry.platform].tokenPrefix);
      expect(result.stderr).toContain(
        `encrypting for IBM's ${entry.platform} ${entry.version} encryption certificate (serial ${entry.serial}`,
      );
    });
  });

  it("uses the platform's newest valid certificate by default and refuses an expired one", async () => {
    const ccrt = await runCli(['encrypt', section, '--platform', 'ccrt']);
    expect(ccrt.code).toBe(0);
    const expected = newestValid(listCatalogue('ccrt', new Date()))!.entry.version;
    expect(expected).toBe(new Date() < new Date('2027-06-20') ? '26.7.2' : expected);
    expect(ccrt.stderr).toContain(`IBM's ccrt ${expected} encryption certificate`);
    expectRecipeShape(ccrt.stdout, 'contract-basic');
    const expired = await runCli(
      story.encrypt({ file: section, platform: 'ccco', certVersion: '25.12.0' }),
    );
    expect(expired.code).toBe(1);
    expect(isOneLineError(expired.stderr)).toBe(true);
    expect(expired.stderr).toMatch(/ccco 25\.12\.0 encryption certificate expired on 2026-08-12/);
    expect(expired.stdout).toBe('');
    const allowed = await runCli(
      story.encrypt({
        file: section,
        platform: 'ccco',
        certVersion: '25.12.0',
        allowExpired: true,
      }),
    );
    expect(allowed.code).toBe(0);
    expectRecipeShape(allowed.stdout, 'hyper-protect-basic');
    const missing = await runCli(
      story.encrypt({ file: section, platform: 'hpvs', certVersion: '1.0.3' }),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'no hpvs certificate for version 1.0.3 (it has 1.0.29, 1.0.28, 1.0.27)',
    );
  });

  it('is a usage error listing the platforms without --platform and --cert, or with an unknown one', async () => {
    const neither = await runCli(['encrypt', section]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(
      /--platform NAME .*hpvs \(.*\), ccrt \(.*\), ccrv \(.*\), ccco \(.*\).* or --cert FILE/,
    );
    expect(neither.stdout).toBe('');
    const cert = certFile('hpvs', '1.0.29');
    for (const platform of ['foo', 'hpcr', '']) {
      const unknown = await runCli(['encrypt', section, '--platform', platform, '--cert', cert]);
      expect(unknown.code, platform).toBe(2);
      expect(unknown.stderr).toContain('unknown platform; choose one of hpvs');
    }
    const both = await runCli(['encrypt', section, '--cert', cert, '--cert-version', '1.0.29']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--cert-version picks a certificate from the catalogue');
  });

  it('keeps --cert: hyper-protect-basic without a platform, the platform prefix with one, a warning for another platform', async () => {
    const ccrvCert = certFile('ccrv', '26.7.1');
    const plain = await runCli(['encrypt', section, '--cert', ccrvCert]);
    expect(plain.code).toBe(0);
    expectRecipeShape(plain.stdout, 'hyper-protect-basic');
    expect(plain.stderr).toBe('');
    const right = await runCli(['encrypt', section, '--cert', ccrvCert, '--platform', 'CCRV']);
    expectRecipeShape(right.stdout, 'contract-basic');
    expect(right.stderr).toBe('hpvs-ctl: platform "CCRV" is ccrv\n');
    const wrong = await runCli(['encrypt', section, '--cert', ccrvCert, '--platform', 'hpvs']);
    expect(wrong.code).toBe(0);
    expectRecipeShape(wrong.stdout, 'hyper-protect-basic');
    expect(wrong.stderr).toMatch(
      /warning: .*: its subject "Contract Encryption for Confidential Container Runtime" is IBM's ccrv encryption certificate, not hpvs's/,
    );
    // one certificate serves hpvs 1.0.27, ccrt 26.5.0 and ccrv 26.5.0: no warning for any of them
    for (const platform of ['hpvs', 'ccrt', 'ccrv']) {
      const shared = await runCli(
        story.encrypt({ file: section, cert: certFile('ccrt', '26.5.0'), platform }),
      );
      expect(shared.stderr, platform).toBe('');
    }
  });

  it('keeps --prefix as a deprecated alias that may not contradict --platform', async () => {
    const cert = certFile('hpvs', '1.0.29');
    const old = await runCli(['encrypt', section, '--cert', cert, '--prefix', 'contract-basic']);
    expect(old.code).toBe(0);
    expectRecipeShape(old.stdout, 'contract-basic');
    expect(old.stderr).toContain('warning: --prefix is deprecated');
    const clash = await runCli([
      'encrypt',
      section,
      '--platform',
      'hpvs',
      '--prefix',
      'contract-basic',
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('--prefix contract-basic contradicts --platform');
    const help = await runCli(['encrypt', '--help']);
    expect(help.stdout).not.toContain('--prefix');
    expect(help.stdout).toContain('--platform <name>');
  });

  it.skipIf(!hasTool('openssl'))('warns when the certificate ends within 30 days', async () => {
    const now = Date.now();
    const { certPath } = makeSelfSignedCertificate(tempDir(), {
      notBefore: opensslDate(new Date(now - DAY)),
      notAfter: opensslDate(new Date(now + 10 * DAY + DAY / 2)),
    });
    const out = join(tempDir(), 'soon.enc');
    const result = await runCli(['encrypt', section, '--cert', certPath, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: .*cert\.pem expires in 10 days, on /);
    expect(existsSync(out) && readFileSync(out, 'utf8').startsWith('hyper-protect-basic.')).toBe(
      true,
    );
  });

  it('refuses --root without --cert instead of checking nothing', async () => {
    const result = await runCli(['encrypt', section, '--platform', 'hpvs', '--root', section]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--root checks the certificate given with --cert');
  });
});
