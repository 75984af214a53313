import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { opensslKeyPair } from '../../helpers/openssl-key-pair.js';

const tempDir = useTempDir();
const path = (name: string) => join(tempDir(), name);

// Secret values planted in the sections: none of them may ever appear in inspect's output.
const SECRETS = {
  workloadSeed: 'workload-seed-Secret-4711',
  envSeed: 'env-seed-Secret-0815-abcdef',
  registryPassword: 'registry-Password-Secret-9',
  apiValue: 'api-token-Secret-value-42',
};
const PINNED = `registry.example.com/app@sha256:${'a'.repeat(64)}`;

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function openssl(args: string[], input?: Uint8Array | string): Buffer {
  const result = runTool('openssl', args, input);
  if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
  return result.stdout;
}

/**
 * The seed document's recipe: a 32-byte random password, RSA-wrapped with pkeyutl, and the
 * section encrypted by `openssl enc -pass stdin`, which stops reading at the first 0x0A.
 */
function opensslRecipeToken(sectionFile: string, publicKeyFile: string, password: Buffer): string {
  const wrapped = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', publicKeyFile], password);
  const data = openssl(
    ['enc', '-aes-256-cbc', '-pbkdf2', '-pass', 'stdin', '-in', sectionFile],
    password,
  );
  return `hyper-protect-basic.${wrapped.toString('base64')}.${data.toString('base64')}`;
}

async function archive(dir: string): Promise<string> {
  const result = await runCli(['archive', dir]);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

function userData(workload: string, env: string, signature?: string): string {
  const block = (key: string, value: string) =>
    value.startsWith('hyper-protect-basic.')
      ? `${key}: ${value}\n`
      : `${key}:\n${indent(value, 2)}\n`;
  return (
    block('workload', workload) +
    block('env', env) +
    (signature === undefined ? '' : `envWorkloadSignature: ${signature}\n`)
  );
}

describe.skipIf(!hasTool('openssl'))('hpvs-ctl inspect', () => {
  let workloadYaml: string;
  let envYaml: string;
  let emptyPasswordEnv: string;
  let randomPasswordEnv: string;

  beforeAll(async () => {
    opensslKeyPair(tempDir(), 'private', 4096);
    mkdirSync(path('compose'));
    writeFileSync(
      path('compose/docker-compose.yaml'),
      `services:\n  app:\n    image: ${PINNED}\n  cache:\n    image: redis:latest\n`,
    );
    workloadYaml = [
      'type: workload',
      'compose:',
      `  archive: ${await archive(path('compose'))}`,
      'auths:',
      '  us.icr.io:',
      '    username: iamapikey',
      `    password: ${SECRETS.registryPassword}`,
      'volumes:',
      '  data:',
      `    seed: ${SECRETS.workloadSeed}`,
      '    mount: /mnt/data',
      '    filesystem: ext4',
      'env:',
      `  API_TOKEN: ${SECRETS.apiValue}`,
      '',
    ].join('\n');
    envYaml = [
      'type: env',
      'logging:',
      '  logRouter:',
      '    hostname: logs.example.cloud.ibm.com',
      `    iamApiKey: ${SECRETS.apiValue}`,
      '    port: 443',
      'volumes:',
      '  data:',
      `    seed: ${SECRETS.envSeed}`,
      'signingKey: |',
      indent(readFileSync(path('private-public.pem'), 'utf8'), 2),
      '',
    ].join('\n');
    writeFileSync(path('workload.yaml'), workloadYaml);
    writeFileSync(path('env.yaml'), envYaml);
    emptyPasswordEnv = opensslRecipeToken(
      path('env.yaml'),
      path('private-public.pem'),
      Buffer.concat([Buffer.from([0x0a]), randomBytes(31)]),
    );
    let password = randomBytes(32);
    while (password[0] === 0x0a || password[0] === 0x00) password = randomBytes(32);
    randomPasswordEnv = opensslRecipeToken(path('env.yaml'), path('private-public.pem'), password);
  });

  const inspect = async (text: string, ...flags: string[]) => {
    const file = path(`user-data-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, text);
    const result = await runCli(['inspect', file, ...flags]);
    for (const secret of Object.values(SECRETS)) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
    return { ...result, file };
  };
  const sign = (workload: string, env: string) =>
    openssl(['dgst', '-sha256', '-sign', path('private.pem')], workload + env).toString('base64');

  it('summarises plaintext sections without printing their secrets, and checks the signature', async () => {
    const workloadToken = (
      await runCli(['encrypt', path('workload.yaml'), '--cert', path('private-public.pem')])
    ).stdout.trim();
    const envValue = `${envYaml.trimEnd()}\n`;
    const text = userData(workloadYaml, envYaml, sign(workloadYaml, envValue));
    const plain = await inspect(text);
    expect(plain.stdout).toContain(`image ${PINNED}: pinned by digest`);
    expect(plain.stdout).toContain('image redis:latest: NOT pinned');
    expect(plain.stdout).toContain('volume data: mount /mnt/data, ext4, seed set');
    expect(plain.stdout).toContain('registries: us.icr.io');
    expect(plain.stdout).toContain('environment variables: API_TOKEN');
    expect(plain.stdout).toContain('logging: logRouter to logs.example.cloud.ibm.com:443');
    expect(plain.stdout).toContain('signingKey: RSA-4096 public key');
    expect(plain.stdout).toMatch(
      /warning: .*:\d+:\d+ workload\.compose: image "redis:latest" has no @sha256: digest/,
    );
    expect(plain.stdout).toMatch(
      /warning: .* workload: not encrypted, so anyone .* registry passwords, volume seeds, environment values/,
    );
    // plaintext sections are signed over their text without the indentation under the key
    expect(plain.stdout).toContain(
      'envWorkloadSignature: present, RSA-4096, valid for env.signingKey',
    );
    expect(plain.code).toBe(0);

    const tampered = await inspect(userData(workloadToken, envYaml, sign(workloadYaml, envValue)));
    expect(tampered.stdout).toContain('envWorkloadSignature: present, RSA-4096, INVALID');
    expect(tampered.stdout).toMatch(
      /error: .*:\d+:23 envWorkloadSignature: the signature does not match/,
    );
    expect(tampered.code).toBe(1);

    const signed = await inspect(userData(workloadToken, envYaml, sign(workloadToken, envValue)));
    expect(signed.stdout).toContain(
      'envWorkloadSignature: present, RSA-4096, valid for env.signingKey',
    );
    expect(signed.stdout).toContain('RSA-4096 password block');
    expect(signed.stdout).toContain('does not open with the empty password');
    expect(signed.code).toBe(0);
  });

  it('flags a section the openssl recipe encrypted under the EMPTY password (first byte 0x0A)', async () => {
    const text = userData(workloadYaml, emptyPasswordEnv);
    const human = await inspect(text);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/env \(line \d+\): encrypted .* READABLE BY ANYONE/);
    expect(human.stdout).toMatch(
      /error: .*:\d+:6 env: READABLE BY ANYONE: the data opens with the empty password/,
    );
    // what anyone can read is summarised too, still without the values
    expect(human.stdout).toContain('logging: logRouter to logs.example.cloud.ibm.com:443');

    const json = await inspect(text, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    const env = report.sections.find((section: { key: string }) => section.key === 'env');
    expect(env.token).toMatchObject({
      prefix: 'hyper-protect-basic',
      rsaBits: 4096,
      readableWithEmptyPassword: true,
    });
    expect(env.summary.volumes).toEqual([{ name: 'data', seed: true, previousSeed: false }]);
  });

  it('does not flag a token with a real random password, from the openssl recipe or hpvs-ctl encrypt', async () => {
    const ours = (
      await runCli(['encrypt', path('env.yaml'), '--cert', path('private-public.pem')])
    ).stdout.trim();
    for (const token of [randomPasswordEnv, ours]) {
      const { stdout, code } = await inspect(userData(token, token), '--json');
      const report = JSON.parse(stdout);
      expect(code).toBe(0);
      for (const section of report.sections) {
        expect(section.token.readableWithEmptyPassword).toBe(false);
        expect(section.summary).toBeUndefined();
      }
      expect(report.findings).toEqual([]);
      expect(report.signature).toEqual({ present: false, check: 'absent' });
    }
  });

  it('warns when the user data exceeds the 64 KiB IBM Cloud limit, without failing', async () => {
    mkdirSync(path('big'));
    writeFileSync(path('big/docker-compose.yaml'), `services:\n  app:\n    image: ${PINNED}\n`);
    writeFileSync(path('big/blob.bin'), randomBytes(52 * 1024));
    const workload = `type: workload\ncompose:\n  archive: ${await archive(path('big'))}\n`;
    const { stdout, code } = await inspect(userData(workload, randomPasswordEnv));
    expect(stdout).toMatch(
      /warning: .*: \d+ bytes, more than the 65536 bytes \(64 KiB\) IBM Cloud VPC accepts/,
    );
    expect(code).toBe(0);
  });

  describe('bad input', () => {
    it('reports a malformed token and a missing env section, exit 1', async () => {
      const { stdout, code } = await inspect('workload: hyper-protect-basic.!!!.AAAA\n');
      expect(code).toBe(1);
      expect(stdout).toMatch(/error: .*:1:11 workload: malformed encrypted section/);
      expect(stdout).toMatch(/error: .*: the required section env is missing/);
    });

    it.each([
      ['workload: [unclosed\n', /\.yaml:\d+:\d+: invalid YAML/],
      ['- just\n- a list\n', /:1:1: user data must be a YAML mapping/],
    ])('exits 1 with one positioned line for %j', async (text, message) => {
      const { stderr, stdout, code } = await inspect(text);
      expect(code).toBe(1);
      expect(isOneLineError(stderr)).toBe(true);
      expect(stderr).toMatch(message);
      expect(stdout).toBe('');
    });

    it('exits 1 for a missing file and 2 without an argument', async () => {
      const missing = await runCli(['inspect', path('nope.yaml')]);
      expect(missing.code).toBe(1);
      expect(isOneLineError(missing.stderr)).toBe(true);
      const usage = await runCli(['inspect']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("missing required argument 'user-data'");
    });
  });
});

describe('hpvs-ctl inspect and validate: names from the file cannot drive the terminal', () => {
  it('escapes control and bidi characters of YAML keys and values in text and JSON output', async () => {
    const file = path('hostile-keys.yaml');
    writeFileSync(
      file,
      [
        'workload:',
        '  type: workload',
        '  compose:',
        '    archive: "x"',
        '  volumes:',
        '    "v\\u001b[2Jx": {seed: "s", mount: "/mnt/\\u009b1m"}',
        '"top\\n\\u001b[1Aenv: ok\\u202e": 1',
        'env: {type: env}',
        '',
      ].join('\n'),
    );
    const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
    for (const args of [
      ['inspect', file],
      ['inspect', file, '--json'],
      ['validate', file],
      ['validate', file, '--json'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout, args.join(' ')).not.toMatch(unsafe);
      expect(result.stderr, args.join(' ')).not.toMatch(unsafe);
      if (args.includes('--json')) expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
      else expect(result.stdout, args.join(' ')).toMatch(/top\\n(\\\\|\\)(x1b|u001b)\[1Aenv: ok/);
    }
  });
});
