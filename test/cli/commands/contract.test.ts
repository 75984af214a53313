import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { createCertificateRequest } from '../../../src/core/pki/certificate-request.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { systemRandom } from '../../../src/node/random.js';
import { story, type StepOptions } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-contract-');
const DAY = 24 * 60 * 60 * 1000;
let f: AuthoringFiles;
let workloadYaml: string;
let workloadToken: string;
let envYaml: string;
let envToken: string;
let counter = 0;
const out = (name = 'user-data') => join(f.dir, `${name}-${++counter}.yaml`);
const file = (name: string) => join(f.dir, name);

/** openssl dgst -sha256 -verify over the workload value followed by the env value. */
function opensslVerifies(userDataPath: string, publicKeyPath: string): boolean {
  const parsed = parseUserData(readFileSync(userDataPath, 'utf8'), userDataPath);
  const signature = file(`sig-${++counter}.bin`);
  writeFileSync(
    signature,
    Buffer.from(parsed.sections.get('envWorkloadSignature')!.value, 'base64'),
  );
  const data = parsed.sections.get('workload')!.value + parsed.sections.get('env')!.value;
  return (
    runTool('openssl', ['dgst', '-sha256', '-verify', publicKeyPath, '-signature', signature], data)
      .status === 0
  );
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  workloadYaml = file('workload.yaml');
  envYaml = file('env.yaml');
  workloadToken = file('workload.enc');
  envToken = file('env.enc');
  writeFileSync(file('apikey.txt'), 'iam-api-key-0123456789\n');
  const workload = { compose: f.composeDir, volume: 'data', seedFile: f.workloadSeed };
  expect((await runCli(story.workload({ ...workload, out: workloadYaml }))).code).toBe(0);
  expect(
    (await runCli(story.workload({ ...workload, cert: f.hpcrCert, out: workloadToken }))).code,
  ).toBe(0);
  const env = {
    logRouterHost: 'ingest.logs.example.com',
    logRouterKeyFile: file('apikey.txt'),
    volume: 'data',
    seedFile: f.envSeed,
  };
  expect((await runCli(story.env({ ...env, out: envYaml }))).code).toBe(0);
  expect((await runCli(story.env({ ...env, cert: f.hpcrCert, out: envToken }))).code).toBe(0);
  const csr = await createCertificateRequest({
    subject: 'CN=deployer from csr',
    privateKey: createPrivateKey(readFileSync(f.signKey)),
    publicKey: createPublicKey(readFileSync(f.signPub)),
  });
  writeFileSync(file('sign.csr'), csr);
  writeFileSync(file('pass.txt'), 'sign-passphrase\n');
  writeFileSync(
    file('sign-protected.pem'),
    createPrivateKey(readFileSync(f.signKey)).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'sign-passphrase',
    }),
  );
});

describe('hpvs-ctl contract', () => {
  it("combines the provider's encrypted workload with a plaintext env: injects signingKey, encrypts env, signs", async () => {
    const target = out();
    const result = await runCli(
      story.contract({
        workload: workloadToken,
        env: envYaml,
        attestationKey: f.signPub,
        cert: f.hpcrCert,
        signKey: f.signKey,
        out: target,
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // every section is encrypted, but the plaintext env.yaml it was made from is 0600, and an
    // output is never more readable than its inputs
    expect(statSync(envYaml).mode & 0o777).toBe(0o600);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const text = readFileSync(target, 'utf8');
    expect(text).toMatch(
      /^workload: hyper-protect-basic\.\S+\nenv: hyper-protect-basic\.\S+\nattestationPublicKey: \|\n  -----BEGIN PUBLIC KEY-----\n(?:.*\n)+envWorkloadSignature: [A-Za-z0-9+/=]+\n$/,
    );
    const parsed = parseUserData(text, target);
    expect(parsed.sections.get('workload')!.value).toBe(readFileSync(workloadToken, 'utf8').trim());
    const hpcrKey = createPrivateKey(readFileSync(f.hpcrKey));
    const env = decryptSection(parsed.sections.get('env')!.value, hpcrKey, systemRandom).toString();
    expect(env).toBe(
      `${readFileSync(envYaml, 'utf8')}signingKey: |\n${readFileSync(f.signPub, 'utf8').trimEnd().replace(/^/gm, '  ')}\n`,
    );
    if (hasTool('openssl')) expect(opensslVerifies(target, f.signPub)).toBe(true);
    const verify = await runCli(['verify', target, '--decrypt-key', f.hpcrKey]);
    expect(verify.code).toBe(0);
  });

  it('writes plaintext sections embedded and private when no --cert is given', async () => {
    const target = out();
    const result = await runCli(
      story.contract({
        workload: workloadYaml,
        env: envYaml,
        signKey: file('sign-protected.pem'),
        signPassphraseFile: file('pass.txt'),
        out: target,
      }),
    );
    expect(result.code).toBe(0);
    // the core words these by concept; the CLI names its flag
    expect(result.stderr).toContain(
      'hpvs-ctl: warning: env is not encrypted: its seeds and keys are readable by anyone who sees user-data; add --cert\n',
    );
    expect(result.stderr).toContain(
      'hpvs-ctl: warning: workload is not encrypted: add --cert to hide it from the cloud operator\n',
    );
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect((await runCli(['validate', target])).code).toBe(0);
    if (hasTool('openssl')) expect(opensslVerifies(target, f.signPub)).toBe(true);
    // IBM's form by default: each section a | block holding the section file's exact text
    const text = readFileSync(target, 'utf8');
    expect(text).toMatch(/^workload: \|\n {2}type: workload\n/);
    const parsed = parseUserData(text, target);
    expect(parsed.sections.get('workload')!.form).toBe('string');
    expect(parsed.sections.get('workload')!.value).toBe(readFileSync(workloadYaml, 'utf8'));
    expect(parsed.sections.get('env')!.value.startsWith(readFileSync(envYaml, 'utf8'))).toBe(true);
  });

  it('writes the mapping form with --section-style mapping, with the same content and signature rule', async () => {
    const block = out();
    const mapping = out();
    const common = { workload: workloadYaml, env: envYaml, signKey: f.signKey };
    expect((await runCli(story.contract({ ...common, out: block }))).code).toBe(0);
    const result = await runCli(
      story.contract({ ...common, sectionStyle: 'mapping', out: mapping }),
    );
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(mapping, 'utf8');
    expect(text).toMatch(/^workload:\n {2}type: workload\n/);
    const [a, b] = [block, mapping].map((path) => parseUserData(readFileSync(path, 'utf8'), path));
    for (const key of ['workload', 'env']) {
      expect(b!.sections.get(key)!.form).toBe('mapping');
      expect(b!.sections.get(key)!.data).toEqual(a!.sections.get(key)!.data);
    }
    expect((await runCli(['verify', mapping])).code).toBe(0);
    expect(
      (await runCli(story.contract({ ...common, sectionStyle: 'json', out: out() }))).code,
    ).toBe(2);
  });

  it('keeps a signingKey that env already has, without a warning', async () => {
    const envWithKey = file('env-with-key.yaml');
    writeFileSync(
      envWithKey,
      `${readFileSync(envYaml, 'utf8')}signingKey: |\n${readFileSync(f.signPub, 'utf8').trimEnd().replace(/^/gm, '  ')}\n`,
    );
    const target = out();
    const result = await runCli(
      story.contract({
        workload: workloadToken,
        env: envWithKey,
        cert: f.hpcrCert,
        signKey: f.signKey,
        out: target,
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = parseUserData(readFileSync(target, 'utf8'), target);
    const env = decryptSection(
      parsed.sections.get('env')!.value,
      createPrivateKey(readFileSync(f.hpcrKey)),
      systemRandom,
    );
    expect(env.toString()).toBe(readFileSync(envWithKey, 'utf8'));
  });

  it('issues an expiry certificate from the CA: openssl verify accepts it, notAfter is now + N days', async () => {
    const target = out();
    const certOut = file('signing.crt');
    const before = Date.now();
    const result = await runCli(
      story.contract({
        workload: workloadToken,
        env: envYaml,
        cert: f.hpcrCert,
        signKey: f.signKey,
        expiryDays: 7,
        caCert: f.caCert,
        caKey: f.caKey,
        subject: '/CN=deployer/O=Example',
        signingCertOut: certOut,
        out: target,
      }),
    );
    const after = Date.now();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const certificate = new X509Certificate(readFileSync(certOut));
    const notAfter = new Date(certificate.validTo).getTime();
    expect(notAfter).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 7 * DAY);
    expect(notAfter).toBeLessThanOrEqual(after + 7 * DAY);
    expect(certificate.subject).toBe('CN=deployer\nO=Example');
    if (hasTool('openssl')) {
      const verified = runTool('openssl', ['verify', '-CAfile', f.caCert, certOut]);
      expect(verified.stdout.toString()).toContain(': OK');
      expect(opensslVerifies(target, f.signPub)).toBe(true);
    }
    const verify = await runCli(['verify', target, '--decrypt-key', f.hpcrKey]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(
      'signing certificate CN=deployer, O=Example, issued by CN=Deployer CA',
    );
    expect(verify.stdout).toMatch(/contract expires \S+ \(in 7 days\)/);
  });

  it('writes contract-basic tokens with --prefix', async () => {
    const target = out();
    const result = await runCli(
      story.contract({
        workload: workloadYaml,
        env: envYaml,
        cert: f.hpcrCert,
        prefix: 'contract-basic',
        out: target,
      }),
    );
    expect(result.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(
      /^workload: contract-basic\.\S+\nenv: contract-basic\.\S+\n$/,
    );
    expect(
      (
        await runCli(
          story.contract({
            workload: workloadYaml,
            env: envYaml,
            prefix: 'x',
            out: out(),
          }),
        )
      ).code,
    ).toBe(2);
  });

  it('takes the expiry certificate subject from a CSR', async () => {
    const certOut = file('csr-signing.crt');
    const result = await runCli(
      story.contract({
        workload: workloadToken,
        env: envYaml,
        cert: f.hpcrCert,
        signKey: f.signKey,
        expiryDays: 1,
        caCert: f.caCert,
        caKey: f.caKey,
        csr: file('sign.csr'),
        signingCertOut: certOut,
        out: out(),
      }),
    );
    expect(result.code).toBe(0);
    expect(new X509Certificate(readFileSync(certOut)).subject).toBe('CN=deployer from csr');
  });

  it('prints the contract on stdout without --out or with --out -, and creates no file "-"', async () => {
    const cwd = tempDir();
    const base = { workload: workloadToken, env: envYaml, signKey: f.signKey };
    const target = out();
    expect((await runCli(story.contract({ ...base, out: target }))).code).toBe(0);
    const written = readFileSync(target, 'utf8');
    for (const args of [story.contract(base), story.contract({ ...base, out: '-' })]) {
      const result = await runCli(args, { cwd });
      expect(result.code, args.join(' ')).toBe(0);
      // the signature is deterministic (PKCS#1 v1.5), so the document is the same bytes
      expect(result.stdout).toBe(written);
    }
    expect(existsSync(join(cwd, '-'))).toBe(false);
    const both = await runCli(
      story.contract({
        ...base,
        expiryDays: 3,
        caCert: f.caCert,
        caKey: f.caKey,
        signingCertOut: '-',
      }),
      { cwd },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot both go to stdout/);
  });

  it('refuses flag combinations that cannot work (exit 2) and writes nothing', async () => {
    const base = ['--workload', workloadToken, '--env', envYaml];
    const expiry = ['--sign-key', f.signKey, '--ca-cert', f.caCert, '--ca-key', f.caKey];
    for (const args of [
      ['--env', envYaml],
      [...base, ...expiry, '--expiry-days', '0'],
      [...base, ...expiry, '--expiry-days', '-5'],
      [...base, ...expiry, '--expiry-days', '2.5'],
      [...base, '--expiry-days', '3', '--ca-cert', f.caCert, '--ca-key', f.caKey],
      [...base, '--sign-key', f.signKey, '--expiry-days', '3', '--ca-cert', f.caCert],
      [...base, ...expiry, '--expiry-days', '3', '--csr', file('sign.csr'), '--subject', '/CN=x'],
      [...base, '--ca-cert', f.caCert],
      [...base, '--sign-passphrase-file', file('pass.txt')],
    ]) {
      const target = out();
      const result = await runCli(['contract', ...args, '--out', target]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(existsSync(target)).toBe(false);
    }
  });

  it('refuses bad input with a one-line error and leaves no output file', async () => {
    writeFileSync(
      file('bad-workload.yaml'),
      'type: workload\ncompose:\n  archive: AAAA\nvolumes:\n  data:\n    seed: short\n',
    );
    const sections = { workload: workloadToken, env: envYaml };
    const expiry = { signKey: f.signKey, expiryDays: 3, caCert: f.caCert, caKey: f.caKey };
    const cases: [StepOptions<'contract'>, RegExp][] = [
      [
        { workload: workloadToken, env: envToken, signKey: f.signKey },
        /env\.enc: env is already encrypted, so its signingKey cannot be added before signing/,
      ],
      [{ ...sections, cert: f.expiredCert }, /expired\.crt: certificate expired on/],
      [
        { workload: file('bad-workload.yaml'), env: envYaml },
        /bad-workload\.yaml:3:12 workload\.compose\.archive: archive: not a gzip'd tar archive \(and 1 more/,
      ],
      [
        { ...sections, signKey: file('sign-protected.pem') },
        /sign-protected\.pem: the private key is passphrase-protected/,
      ],
      [
        { ...sections, attestationKey: f.hpcrCert },
        /hpcr\.crt: the attestation key must be a public key/,
      ],
      [
        { ...sections, ...expiry, caCert: f.hpcrCert, caKey: f.hpcrKey },
        /hpcr\.crt: not a CA certificate/,
      ],
      [
        { ...sections, ...expiry, caKey: f.signKey },
        /the CA private key does not match the CA certificate/,
      ],
      [{ ...sections, ...expiry, expiryDays: 3650 }, /before the contract would/],
      [
        { workload: file('missing.yaml'), env: envYaml },
        /missing\.yaml: workload section file not found/,
      ],
    ];
    for (const [options, message] of cases) {
      const target = out();
      const args = story.contract({ ...options, out: target });
      await expectCliError(args, message);
      expect(existsSync(target), args.join(' ')).toBe(false);
    }
  });
});
