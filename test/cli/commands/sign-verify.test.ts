import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-sign-verify-');
const DAY = 24 * 60 * 60 * 1000;
let f: AuthoringFiles;
let unsigned: string;
let counter = 0;
const file = (name: string) => join(f.dir, name);
const out = () => file(`out-${++counter}.yaml`);
/** sha256 as openssl computes it, so the digests are checked against another implementation. */
const opensslSha256 = (data: Buffer) =>
  runTool('openssl', ['dgst', '-sha256', '-r'], data).stdout.toString().split(' ')[0];

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(file('apikey.txt'), 'iam-api-key-0123456789\n');
  const env = story.env({
    logRouterHost: 'h.example.com',
    logRouterKeyFile: file('apikey.txt'),
    signingKey: f.signPub,
  });
  expect((await runCli([...env, '--cert', f.hpcrCert, '--out', file('env.enc')])).code).toBe(0);
  expect((await runCli([...env, '--out', file('env-for-json.yaml')])).code).toBe(0);
  expect(
    (
      await runCli(
        story.workload({ compose: f.composeDir, cert: f.hpcrCert, out: file('workload.enc') }),
      )
    ).code,
  ).toBe(0);
  unsigned = file('unsigned.yaml');
  expect(
    (
      await runCli(
        story.contract({ workload: file('workload.enc'), env: file('env.enc'), out: unsigned }),
      )
    ).code,
  ).toBe(0);
  // a signing certificate that expired yesterday, for the expiry report
  const key = createPrivateKey(readFileSync(f.signKey));
  writeFileSync(
    file('expired-signing.crt'),
    await issueCertificate({
      subject: 'CN=old deployer',
      publicKey: createPublicKey(key),
      role: 'contract-signing',
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      selfSigningKey: key,
    }),
  );
});

describe('hpvs-ctl sign', () => {
  it('adds envWorkloadSignature over the encrypted workload and env, verifiable with openssl', async () => {
    const target = out();
    const result = await runCli(['sign', unsigned, '--key', f.signKey, '--out', target]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = readFileSync(target, 'utf8');
    expect(text.startsWith(readFileSync(unsigned, 'utf8'))).toBe(true);
    const parsed = parseUserData(text, target);
    if (hasTool('openssl')) {
      const signature = file('sig.bin');
      writeFileSync(
        signature,
        Buffer.from(parsed.sections.get('envWorkloadSignature')!.value, 'base64'),
      );
      const data = parsed.sections.get('workload')!.value + parsed.sections.get('env')!.value;
      expect(
        runTool('openssl', ['dgst', '-sha256', '-verify', f.signPub, '-signature', signature], data)
          .status,
      ).toBe(0);
    }
    const stdout = await runCli(['sign', '-', '--key', f.signKey], {
      stdin: readFileSync(unsigned),
    });
    expect(stdout.stdout).toBe(text);
  });

  it('signs a | block-string contract over the string values exactly as openssl dgst -sha256 -sign does, changing only the signature line', async () => {
    const indent = (text: string) => text.replace(/^(?=.)/gm, '    ');
    const blocks = `# IBM's form: each section a | block holding its YAML
env: |
  type: env
  logging:
    logRouter:
      hostname: h.example.com
      iamApiKey: iam-api-key-0123456789
  signingKey: |
${indent(readFileSync(f.signPub, 'utf8'))}workload: |-
  type: workload
  play: {}
envWorkloadSignature:
`;
    const source = file('blocks.yaml');
    writeFileSync(source, blocks);
    const target = out();
    const result = await runCli(['sign', source, '--key', f.signKey, '--out', target]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(target, 'utf8');
    const parsed = parseUserData(text, target);
    const signature = parsed.sections.get('envWorkloadSignature')!.value;
    expect(text).toBe(
      blocks.replace(/envWorkloadSignature:\n$/, `envWorkloadSignature: ${signature}\n`),
    );
    // the signed bytes: the workload string (|- : no final newline) then the env string
    const workloadValue = 'type: workload\nplay: {}';
    expect(parsed.sections.get('workload')!.value).toBe(workloadValue);
    expect(parsed.sections.get('env')!.value.endsWith('-----END PUBLIC KEY-----\n')).toBe(true);
    if (hasTool('openssl')) {
      const data = workloadValue + parsed.sections.get('env')!.value;
      const openssl = runTool('openssl', ['dgst', '-sha256', '-sign', f.signKey], data);
      expect(openssl.status).toBe(0);
      // PKCS#1 v1.5 is deterministic: the same bytes signed give the same signature
      expect(openssl.stdout.toString('base64')).toBe(signature);
    }
    const verified = await runCli(['verify', target]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    // signing the signed file again changes nothing; a changed workload fails verify
    const again = await runCli(['sign', target, '--key', f.signKey]);
    expect(again.stdout).toBe(text);
    const tampered = out();
    writeFileSync(tampered, text.replace('play: {}', 'play: { }'));
    expect((await runCli(['verify', tampered])).code).toBe(1);
  });

  it('refuses bad input with a one-line error and leaves no output file', async () => {
    const cases: [string[], RegExp][] = [
      [[file('missing.yaml'), '--key', f.signKey], /missing\.yaml: user data file not found/],
      [
        [unsigned, '--key', f.signPub],
        /sign\.pub: found a "PUBLIC KEY" PEM block; expected a PRIVATE KEY/,
      ],
      [[f.signPub, '--key', f.signKey], /user data must be a YAML mapping|invalid YAML/],
    ];
    writeFileSync(file('no-env.yaml'), 'workload: hyper-protect-basic.AAAA.BBBB\n');
    cases.push([
      [file('no-env.yaml'), '--key', f.signKey],
      /no-env\.yaml: has no env section to sign/,
    ]);
    for (const [args, message] of cases) {
      const target = out();
      await expectCliError(['sign', ...args, '--out', target], message);
      expect(existsSync(target)).toBe(false);
    }
    expect((await runCli(['sign', unsigned])).code).toBe(2);
  });
});

describe('hpvs-ctl sign keeps every byte it does not change', () => {
  it('keeps comments, CRLF line ends and non-ASCII text byte for byte', async () => {
    const original = readFileSync(unsigned);
    const decorated = Buffer.concat([
      Buffer.from('# Zürich \u2013 東京, déployé\r\n'),
      original,
      Buffer.from('# fin \u00e9\r\n'),
    ]);
    writeFileSync(file('decorated.yaml'), decorated);
    const result = await runCli(['sign', file('decorated.yaml'), '--key', f.signKey]);
    expect(result.code).toBe(0);
    const signed = result.stdoutBytes;
    const line = /^envWorkloadSignature: [A-Za-z0-9+/=]+\n/m.exec(signed.toString('utf8'))!;
    // removing the added line gives the input back, exactly
    expect(Buffer.from(signed.toString('utf8').replace(line[0], '')).equals(decorated)).toBe(true);
  });

  it('refuses a file that is not UTF-8, with its place, instead of rewriting the bytes', async () => {
    const original = readFileSync(unsigned);
    const latin1 = Buffer.concat([original, Buffer.from('# caf\xe9\n', 'latin1')]);
    writeFileSync(file('latin1.yaml'), latin1);
    const lines = original.toString('utf8').split('\n').length;
    const target = out();
    await expectCliError(
      ['sign', file('latin1.yaml'), '--key', f.signKey, '--out', target],
      new RegExp(`latin1\\.yaml:${lines}:6: not UTF-8 \\(byte 0xe9\\); a YAML file must be UTF-8`),
    );
    expect(existsSync(target)).toBe(false);
  });
});

describe('hpvs-ctl verify', () => {
  let signed: string;
  beforeAll(async () => {
    signed = out();
    expect((await runCli(['sign', unsigned, '--key', f.signKey, '--out', signed])).code).toBe(0);
  });

  it('verifies with a given key or with env.signingKey read by decrypting env', async () => {
    const given = await runCli(['verify', signed, '--signing-key', f.signPub]);
    expect(given.code).toBe(0);
    expect(given.stdout).toBe(`${signed}: signature valid (key: ${f.signPub})\n`);
    const fromEnv = await runCli(['verify', signed, '--decrypt-key', f.hpcrKey]);
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toBe(`${signed}: signature valid (key: env.signingKey)\n`);
  });

  it('--json gives the verdict, the key and the SHA-256 of the user data (openssl agrees)', async () => {
    const result = await runCli(['verify', signed, '--signing-key', f.signPub, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      file: signed,
      ok: true,
      signatureValid: true,
      key: { source: 'given', name: f.signPub },
      certificate: null,
      expired: false,
      notYetValid: false,
      issuedBy: null,
      // both sections are tokens, so the file's digest gives nothing away
      sha256_in: opensslSha256(readFileSync(signed)),
    });
    // an invalid signature: the same document with the verdict, exit 1 and one error line
    const tampered = file('tampered-json.yaml');
    writeFileSync(
      tampered,
      readFileSync(signed, 'utf8').replace(/^(envWorkloadSignature: .*).{8}$/m, '$1AAAAAAAA'),
    );
    const bad = await runCli(['verify', tampered, '--signing-key', f.signPub, '--json']);
    expect(bad.code).toBe(1);
    expect(isOneLineError(bad.stderr)).toBe(true);
    const document = JSON.parse(bad.stdout);
    expect([document.ok, document.signatureValid]).toEqual([false, false]);
    expect(document.sha256_in).toBe(opensslSha256(readFileSync(tampered)));
  });

  it('--json withholds the digest of a user data with a plaintext section', async () => {
    const plain = out();
    expect(
      (
        await runCli(
          story.contract({
            workload: file('workload.enc'),
            env: file('env-for-json.yaml'),
            signKey: f.signKey,
            out: plain,
          }),
        )
      ).code,
    ).toBe(0);
    const result = await runCli(['verify', plain, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.key).toEqual({ source: 'env.signingKey', name: 'env.signingKey' });
    expect(document.sha256_in).toBeNull();
    expect(result.stdout).not.toContain('iam-api-key');
  });

  it('fails with exit 1 on a tampered contract or another key', async () => {
    const text = readFileSync(signed, 'utf8');
    const lines = text.split('\n');
    const tampered = file('tampered.yaml');
    writeFileSync(
      tampered,
      [lines[0], lines[1]!.replace(/.{8}$/, 'AAAAAAAA'), ...lines.slice(2)].join('\n'),
    );
    const result = await runCli(['verify', tampered, '--signing-key', f.signPub]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('signature INVALID');
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/envWorkloadSignature does not match workload and env/);
    const other = await runCli(['verify', signed, '--signing-key', f.caCert]);
    expect(other.code).toBe(1);
  });

  it('reports the expiry of a certificate signing key, and fails once it has expired', async () => {
    const result = await runCli(['verify', signed, '--signing-key', file('expired-signing.crt')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /signature valid \(key: .*expired-signing\.crt\)\n.*signing certificate CN=old deployer.*\n.*contract EXPIRED on /,
    );
    expect(result.stderr).toMatch(/the contract expired on \S+; the runtime refuses it/);
  });

  it('checks with --ca-cert that the expiry certificate was issued by the CA', async () => {
    const envPlain = file('env-plain.yaml');
    const built = await runCli(
      story.env({
        logRouterHost: 'h.example.com',
        logRouterKeyFile: file('apikey.txt'),
        out: envPlain,
      }),
    );
    expect(built.code).toBe(0);
    const expiring = out();
    const made = await runCli(
      story.contract({
        workload: file('workload.enc'),
        env: envPlain,
        cert: f.hpcrCert,
        signKey: f.signKey,
        expiryDays: 3,
        caCert: f.caCert,
        caKey: f.caKey,
        out: expiring,
      }),
    );
    expect(made.code).toBe(0);
    const good = await runCli(
      story.verify({ userData: expiring, decryptKey: f.hpcrKey, caCert: f.caCert }),
    );
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`issued by ${f.caCert}: yes`);
    const goodJson = await runCli(
      story.verify({ userData: expiring, decryptKey: f.hpcrKey, caCert: f.caCert, json: true }),
    );
    expect(goodJson.code, goodJson.stderr).toBe(0);
    const document = JSON.parse(goodJson.stdout);
    expect(document.issuedBy).toMatchObject({ source: f.caCert, valid: true });
    expect(document.certificate.daysLeft).toBe(3);
    expect(Date.parse(document.certificate.notAfter) - Date.now()).toBeGreaterThan(2 * DAY);
    expect(document.sha256_in).toBe(opensslSha256(readFileSync(expiring)));
    const wrong = await runCli(
      story.verify({ userData: expiring, decryptKey: f.hpcrKey, caCert: f.hpcrCert }),
    );
    expect(wrong.code).toBe(1);
    expect(isOneLineError(wrong.stderr)).toBe(true);
    expect(wrong.stderr).toMatch(/the signing certificate was not issued by .*hpcr\.crt/);
    await expectCliError(
      ['verify', signed, '--signing-key', f.signPub, '--ca-cert', f.caCert],
      /the signing key is a bare public key/,
    );
  });

  it('needs a key source for an encrypted env, and fails cleanly otherwise', async () => {
    const result = await runCli(['verify', signed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/env is encrypted; give --signing-key PUBFILE, or --decrypt-key/);
    await expectCliError(
      ['verify', unsigned, '--signing-key', f.signPub],
      /has no envWorkloadSignature; sign it with hpvs-ctl sign/,
    );
    await expectCliError(
      ['verify', signed, '--decrypt-key', f.signKey],
      /^hpvs-ctl: error: .*: the env section cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key/,
    );
    expect((await runCli(['verify', signed, '--passphrase-file', file('apikey.txt')])).code).toBe(
      2,
    );
  });
});
