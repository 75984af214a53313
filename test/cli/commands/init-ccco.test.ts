import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRego } from '../../../src/core/ccco/rego-syntax.js';
import { CLI, isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { answerOnTerminal } from '../../helpers/terminal-session.js';
import { hasTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
const path = (...parts: string[]) => join(tempDir(), ...parts);
const read = (...parts: string[]) => readFileSync(path(...parts), 'utf8');
const mode = (...parts: string[]) => statSync(path(...parts)).mode & 0o777;
const init = (persona: string, platform: string, dir: string, ...args: string[]) =>
  runCli(['init', '--persona', persona, '--platform', platform, '--out-dir', path(dir), ...args]);

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
}

function openssl(args: string[]): string {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

async function expectValid(platformSection: string, file: string): Promise<void> {
  const result = await runCli([
    'validate',
    '--platform',
    'ccco',
    '--section',
    platformSection,
    file,
  ]);
  expect(result.code, `${file}: ${result.stdout}${result.stderr}`).toBe(0);
}

/** The policy in the workload decodes to Rego that parses and is policy.rego byte for byte. */
function expectPolicy(dir: string): string {
  const workload = parse(read(dir, 'workload.yaml'));
  const rego = Buffer.from(
    workload['confidential-containers'].regoValidator.policy,
    'base64',
  ).toString('utf8');
  expect(() => parseRego(rego)).not.toThrow();
  expect(rego).toBe(read(dir, 'policy.rego'));
  return rego;
}

function expectNoPlaceholder(dir: string): void {
  for (const name of filesUnder(path(dir))) {
    expect(read(dir, name), `${dir}/${name}`).not.toContain('REPLACE');
  }
}

describe.skipIf(!hasTool('openssl'))('hpvs-ctl init --platform ccco', () => {
  beforeAll(() => {
    // a host key document stands in as an openssl certificate: the same X.509 shape
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path('hkd-key.pem'),
      '-subj',
      '/CN=IBM Z host key',
      '-days',
      '30',
      '-out',
      path('HKD-3931-0123456.crt'),
    ]);
    mkdirSync(path('pod'));
    writeFileSync(
      path('pod', 'pod.yaml'),
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: shop',
        'spec:',
        '  runtimeClassName: kata-remote',
        '  containers:',
        '    - name: web',
        '      image: registry.example.com/team/shop@sha256:' + 'ab'.repeat(32),
        '      command: ["/bin/shop", "--serve"]',
        '',
      ].join('\n'),
    );
  });

  it('provider, peer pod: sealed-secret keys pasted in, the starter pod and its policy, valid for ccco', async () => {
    const result = await init('provider', 'ccco', 'pp');
    expect(result.code, result.stderr).toBe(0);
    expect(filesUnder(path('pp'))).toEqual([
      'pod.yaml',
      'policy.rego',
      'seal-keys/seal-decryption-private.pem',
      'seal-keys/seal-encryption-public.pem',
      'seal-keys/seal-signing-private.pem',
      'seal-keys/seal-verification-public.pem',
      'workload.yaml',
    ]);
    expect(mode('pp', 'workload.yaml')).toBe(0o600);
    expect(mode('pp', 'seal-keys', 'seal-decryption-private.pem')).toBe(0o600);
    expect(mode('pp', 'seal-keys', 'seal-signing-private.pem')).toBe(0o600);
    expect(mode('pp', 'policy.rego')).toBe(0o644 & ~process.umask());
    await expectValid('workload', path('pp', 'workload.yaml'));
    expectNoPlaceholder('pp');
    expect(read('pp', 'pod.yaml')).toBe(
      readFileSync(new URL('../../../templates/play/pod.yaml', import.meta.url), 'utf8'),
    );
    expectPolicy('pp');

    const workload = parse(read('pp', 'workload.yaml'));
    const cc = workload['confidential-containers'];
    // no cosign key was given: no cosign entry rather than a placeholder
    expect(cc.config).toBeUndefined();
    expect(workload.volumes).toBeUndefined();
    expect(cc.secret.decryptionKey).toBe(read('pp', 'seal-keys', 'seal-decryption-private.pem'));
    expect(cc.secret.verificationKey).toBe(read('pp', 'seal-keys', 'seal-verification-public.pem'));
    // the pairs belong together, as openssl derives them
    for (const [privateKey, publicKey] of [
      ['seal-decryption-private.pem', 'seal-encryption-public.pem'],
      ['seal-signing-private.pem', 'seal-verification-public.pem'],
    ] as const) {
      expect(openssl(['pkey', '-in', path('pp', 'seal-keys', privateKey), '-pubout'])).toBe(
        read('pp', 'seal-keys', publicKey),
      );
    }
    expect(result.stderr).toContain('next: hpvs-ctl contract --platform ccco');
    expect(result.stderr).toContain('next: hpvs-ctl initdata build --contract user-data.yaml');
  });

  it('provider, bare metal from --play DIR: the policy admits that pod, a fresh data volume seed', async () => {
    const result = await init('provider', 'ccco-bmtl', 'pb', '--play', path('pod'));
    expect(result.code, result.stderr).toBe(0);
    // the pod stays where it is: init writes no copy of it
    expect(existsSync(path('pb', 'pod.yaml'))).toBe(false);
    await expectValid('workload', path('pb', 'workload.yaml'));
    expectNoPlaceholder('pb');
    const rego = expectPolicy('pb');
    expect(rego).toContain('registry.example.com/team/shop');
    expect(rego).toContain('--serve');
    const volume = parse(read('pb', 'workload.yaml')).volumes.data;
    expect(volume.mount).toBe('/mnt/data');
    expect(volume.seed.length).toBeGreaterThanOrEqual(15);
    expect(mode('pb', 'workload.yaml')).toBe(0o600);
    expect(result.stderr).toContain(`--pod ${path('pod', 'pod.yaml')}`);
  });

  it('deployer, peer pod: no logging by default (optional on ccco), a signing key pair', async () => {
    const result = await init(
      'deployer',
      'ccco-peerpod',
      'dp',
      '--signing-key',
      'generate',
      '--bits',
      '2048',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(filesUnder(path('dp'))).toEqual([
      'env.yaml',
      'signing-private.pem',
      'signing-public.pem',
    ]);
    expect(mode('dp', 'env.yaml')).toBe(0o600);
    expect(mode('dp', 'signing-private.pem')).toBe(0o600);
    const env = parse(read('dp', 'env.yaml'));
    expect(Object.keys(env)).toEqual(['type', 'signingKey']);
    expect(env.signingKey).toBe(read('dp', 'signing-public.pem'));
    await expectValid('env', path('dp', 'env.yaml'));
    expectNoPlaceholder('dp');
  });

  it('deployer, peer pod with --logging syslog: the certificates are generated as on the other platforms', async () => {
    const result = await init(
      'deployer',
      'ccco',
      'ds',
      '--logging',
      'syslog',
      '--log-host',
      'logs.example.com',
      '--signing-key',
      'none',
      '--bits',
      '2048',
    );
    expect(result.code, result.stderr).toBe(0);
    const env = parse(read('ds', 'env.yaml'));
    expect(env.logging.syslog.hostname).toBe('logs.example.com');
    expect(env.logging.syslog.server).toBe(read('ds', 'syslog-tls', 'ca.crt'));
    expect(mode('ds', 'syslog-tls', 'client-key.pem')).toBe(0o600);
    await expectValid('env', path('ds', 'env.yaml'));
    expectNoPlaceholder('ds');
  });

  it('deployer, bare metal: the host key document as base64 and a fresh env seed; the contract of both halves is valid', async () => {
    const hkd = path('HKD-3931-0123456.crt');
    const result = await init(
      'deployer',
      'ccco-bmtl',
      'db',
      '--host-key-doc',
      hkd,
      '--signing-key',
      'generate',
      '--bits',
      '2048',
    );
    expect(result.code, result.stderr).toBe(0);
    const env = parse(read('db', 'env.yaml'));
    expect(env.logging).toBeUndefined();
    const entry = env['host-attestation']['HKD-3931-0123456'];
    expect(Buffer.from(entry['host-key-doc'], 'base64').equals(readFileSync(hkd))).toBe(true);
    expect(env.volumes.data.seed.length).toBeGreaterThanOrEqual(15);
    expect(mode('db', 'env.yaml')).toBe(0o600);
    await expectValid('env', path('db', 'env.yaml'));
    expectNoPlaceholder('db');

    // the two halves make one contract: the volumes agree across sections
    const built = await runCli(
      story.contract({
        platform: 'ccco',
        workload: path('pb', 'workload.yaml'),
        env: path('db', 'env.yaml'),
        signKey: path('db', 'signing-private.pem'),
        out: path('db', 'user-data.yaml'),
      }),
    );
    expect(built.code, built.stderr).toBe(0);
    const validated = await runCli([
      'validate',
      '--platform',
      'ccco',
      path('db', 'user-data.yaml'),
    ]);
    expect(validated.code, `${validated.stdout}${validated.stderr}`).toBe(0);
  });

  // `script` gives the CLI a pty, as in init.test.ts
  it.skipIf(!hasTool('script'))(
    'on a terminal, offers no logging for ccco and asks bare metal for the host key document',
    async () => {
      const answers: [RegExp, string][] = [
        [/Where should the instance send its logs\?/, '\x1b[B\x1b[B\r'], // down to "nowhere"
        [/Generate a contract signing key pair\?/, 'n\r'],
        [/host key document/, `${path('HKD-3931-0123456.crt')}\r`],
      ];
      const command = `${process.execPath} ${CLI} init --persona deployer --platform ccco-bmtl --out-dir ${path('tty')}`;
      const output = await answerOnTerminal(command, answers, tempDir());
      expect(output).toContain('nowhere');
      const env = parse(read('tty', 'env.yaml'));
      expect(Object.keys(env)).toEqual(['type', 'host-attestation', 'volumes']);
      await expectValid('env', path('tty', 'env.yaml'));
    },
  );

  it('refuses --compose, --volume, a missing or wrong host key document, and --logging none off ccco; writes nothing', async () => {
    const notCert = path('not-a-cert.crt');
    writeFileSync(notCert, 'hello\n');
    for (const [dir, args, code, text] of [
      ['r1', ['provider', 'ccco', '--compose', path('c1')], 2, '--compose'],
      ['r2', ['provider', 'ccco-bmtl', '--volume', 'data'], 2, '--volume'],
      ['r3', ['deployer', 'ccco', '--volume', 'data', '--signing-key', 'none'], 2, '--volume'],
      ['r4', ['deployer', 'ccco-bmtl', '--signing-key', 'none'], 2, '--host-key-doc'],
      [
        'r5',
        [
          'deployer',
          'ccco',
          '--host-key-doc',
          path('HKD-3931-0123456.crt'),
          '--signing-key',
          'none',
        ],
        2,
        '--host-key-doc',
      ],
      [
        'r6',
        ['deployer', 'ccco-bmtl', '--host-key-doc', notCert, '--signing-key', 'none'],
        1,
        'host key document',
      ],
      [
        'r7',
        ['deployer', 'hpvs', '--logging', 'none', '--volume', 'none', '--signing-key', 'none'],
        2,
        '--logging none',
      ],
    ] as const) {
      const [persona, platform, ...rest] = args;
      const result = await init(persona, platform, dir, ...rest);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      // an alias (ccco-bmtl) is named first, on its own note line
      const error = result.stderr.replace(/^hpvs-ctl: platform "[^"]+" is ccco\n/, '');
      expect(isOneLineError(error), result.stderr).toBe(true);
      expect(result.stderr).toContain(text);
      expect(existsSync(path(dir)), dir).toBe(false);
    }
    expect(existsSync(path('c1'))).toBe(false);
  });
});
