import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type CertificateRole } from '../../../src/core/pki/issue-certificate.js';
import { createSyslogCertificates } from '../../../src/core/pki/syslog-certificates.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * Weak or inconsistent key material is refused the same way by every command that takes it
 * (issue 9 item 13): one rule per concept (src/core/crypto/encryption-key-rules.ts,
 * src/core/crypto/tls-material.ts), one message whichever command meets it.
 */

const tempDir = useTempDir('hpvs-ctl-weak-');
let f: AuthoringFiles;
const paths = {} as Record<
  'rsa1024' | 'signingOnly' | 'section' | 'oldCa' | 'oldCert' | 'oldKey' | 'otherKey',
  string
>;
const DAY = 86_400_000;

async function selfSigned(bits: number, role: CertificateRole, name: string): Promise<string> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = await issueCertificate({
    subject: `CN=${name}`,
    publicKey,
    selfSigningKey: privateKey,
    role,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
  });
  const path = join(f.dir, `${name}.crt`);
  writeFileSync(path, pem);
  return path;
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  paths.rsa1024 = await selfSigned(1024, 'encryption', 'rsa1024');
  paths.signingOnly = await selfSigned(2048, 'attestation', 'signing-only');
  paths.section = join(f.dir, 'section.yaml');
  writeFileSync(paths.section, 'type: env\n');
  const old = await createSyslogCertificates({
    hostname: 'logs.example.com',
    now: new Date(Date.now() - 10 * DAY),
    days: 2,
    caDays: 2,
    bits: 2048,
  });
  const other = await createSyslogCertificates({
    hostname: 'logs.example.com',
    now: new Date(),
    bits: 2048,
  });
  for (const [name, pem] of [
    ['oldCa', old.caCertificatePem],
    ['oldCert', old.clientCertificatePem],
    ['oldKey', old.clientPrivateKeyPem],
    ['otherKey', other.clientPrivateKeyPem],
  ] as const) {
    paths[name] = join(f.dir, `${name}.pem`);
    writeFileSync(paths[name], pem);
  }
}, 60_000);

const encryptingCommands = (cert: string, out: string) => [
  ['encrypt', paths.section, '--cert', cert, '--out', out],
  ['workload', '--compose', f.composeDir, '--cert', cert, '--out', out],
  ['contract', '--workload', paths.section, '--env', paths.section, '--cert', cert, '--out', out],
];

describe('encryption certificates: the same refusal from every encrypting command', () => {
  it.each([
    [
      'an RSA-1024 certificate',
      () => paths.rsa1024,
      /rsa1024\.crt: RSA-1024 key; encrypting needs at least 2048 bits/,
    ],
    [
      'a certificate whose keyUsage lacks keyEncipherment',
      () => paths.signingOnly,
      /signing-only\.crt: the certificate's keyUsage \(digitalSignature\) lacks keyEncipherment/,
    ],
  ])('%s', async (_name, cert, message) => {
    for (const [index, args] of encryptingCommands(cert(), join(f.dir, 'never')).entries()) {
      const out = join(f.dir, `never-${index}.out`);
      const result = await runCli(args.map((arg) => (arg === join(f.dir, 'never') ? out : arg)));
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a 2048-bit certificate is used with a warning (IBM uses 4096)', async () => {
    const cert = await selfSigned(2048, 'encryption', 'rsa2048');
    const result = await runCli(['encrypt', paths.section, '--cert', cert]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^hpvs-ctl: warning: .*rsa2048\.crt: RSA-2048 key; IBM's encryption certificates have 4096 bits/,
    );
  });
});

describe('syslog TLS material (env --syslog-*)', () => {
  const env = (ca: string, cert: string, key: string) =>
    story.env({ syslogHost: 'logs.example.com', syslogCa: ca, syslogCert: cert, syslogKey: key });

  it.each([
    [
      'a client key that does not match its certificate',
      () => env(f.caCert, f.hpcrCert, paths.otherKey),
      /otherKey\.pem: this private key does not belong to the certificate .*hpcr\.crt/,
    ],
    [
      'an expired CA',
      () => env(paths.oldCa, f.hpcrCert, f.hpcrKey),
      /oldCa\.pem: certificate expired on /,
    ],
    [
      'an expired client certificate',
      () => env(f.caCert, paths.oldCert, paths.oldKey),
      /oldCert\.pem: certificate expired on /,
    ],
    [
      'a CA file that holds no certificate',
      () => env(f.signPub, f.hpcrCert, f.hpcrKey),
      /sign\.pub: holds no certificate/,
    ],
  ])('%s: exit 1, one line', async (_name, args, message) => {
    const result = await runCli(args());
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr), result.stderr).toBe(true);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('emulator log-server --ca', () => {
  it('refuses a CA file without a certificate before listening', async () => {
    const result = await runCli(
      story.logServer({ port: 0, ca: f.hpcrKey, cert: f.hpcrCert, key: f.hpcrKey }),
    );
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr), result.stderr).toBe(true);
    expect(result.stderr).toMatch(/holds no certificate/);
  });
});
