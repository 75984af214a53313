import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContract } from '../../../src/core/authoring/create-contract.js';
import { parseSectionText } from '../../../src/core/contract/user-data.js';
import { archiveFolder } from '../../../src/node/archive-folder.js';
import { systemRandom } from '../../../src/node/random.js';
import { validateSection } from '../../../src/core/schema/validate-contract.js';
import { CLI, isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { answerOnTerminal } from '../../helpers/terminal-session.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { opensslKeyPair } from '../../helpers/openssl-key-pair.js';

const tempDir = useTempDir();
const path = (...parts: string[]) => join(tempDir(), ...parts);
const read = (...parts: string[]) => readFileSync(path(...parts), 'utf8');
const mode = (...parts: string[]) => statSync(path(...parts)).mode & 0o777;
// 2048-bit keys keep the suite fast; the size is a pass-through to the generators
const FAST = ['--bits', '2048'];

async function init(args: string[], env?: Record<string, string>) {
  const result = await runCli(['init', ...args, ...FAST], env ? { env } : {});
  expect(result.stderr).not.toContain('error');
  expect(result.code).toBe(0);
  return result;
}

async function expectValidSection(key: 'workload' | 'env', file: string) {
  const report = await validateSection(parseSectionText(key, read(file), file), {
    now: new Date(),
  });
  expect(report.problems.filter((problem) => problem.severity !== 'note')).toEqual([]);
}

describe('hpvs-ctl init, scripted with flags', () => {
  beforeAll(() => {
    opensslKeyPair(tempDir(), 'hpcr', 4096);
  });

  it('provider: creates the compose folder from the template and a valid workload section with a fresh seed', async () => {
    const result = await init([
      '--persona',
      'provider',
      '--out-dir',
      path('provider'),
      '--compose',
      path('provider', 'compose'),
      '--volume',
      'data:/mnt/data',
      '--cert',
      path('hpcr-public.pem'),
    ]);
    expect(result.stdout.split('\n')).toEqual([
      path('provider', 'workload.yaml'),
      path('provider', 'workload.enc'),
      `${path('provider', 'compose')}/`,
      '',
    ]);
    expect(readdirSync(path('provider', 'compose'))).toEqual(['docker-compose.yaml']);
    expect(mode('provider', 'workload.yaml')).toBe(0o600);
    const workload = parse(read('provider', 'workload.yaml'));
    expect(workload.compose.archive).toBe(
      (await archiveFolder(path('provider', 'compose'))).base64,
    );
    expect(workload.volumes.data).toMatchObject({ mount: '/mnt/data', filesystem: 'ext4' });
    expect(workload.volumes.data.seed).toMatch(/^[A-Za-z0-9]{32}$/);
    await expectValidSection('workload', join('provider', 'workload.yaml'));
    // workload.enc opens with the HPCR key to exactly workload.yaml
    const opened = await runCli([
      'decrypt',
      path('provider', 'workload.enc'),
      '--key',
      path('hpcr.pem'),
    ]);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toBe(read('provider', 'workload.yaml'));
  });

  it('provider: archives an existing compose folder as it is', async () => {
    mkdirSync(path('mine'));
    const compose = `services:\n  app:\n    image: example.com/app@sha256:${'b'.repeat(64)}\n`;
    writeFileSync(path('mine', 'docker-compose.yaml'), compose);
    await init([
      '--persona',
      'provider',
      '--out-dir',
      path('provider2'),
      '--compose',
      path('mine'),
      '--volume',
      'none',
    ]);
    const workload = parse(read('provider2', 'workload.yaml'));
    expect(workload.compose.archive).toBe((await archiveFolder(path('mine'))).base64);
    expect(workload.volumes).toBeUndefined();
    expect(readdirSync(path('mine'))).toEqual(['docker-compose.yaml']);
  });

  it('deployer with syslog: env section, syslog certificates and a signing key that sign a valid contract', async () => {
    await init([
      '--persona',
      'deployer',
      '--out-dir',
      path('deployer'),
      '--logging',
      'syslog',
      '--log-host',
      'logs.example.com',
      '--volume',
      'data',
      '--signing-key',
      'generate',
    ]);
    for (const name of [
      'env.yaml',
      'signing-private.pem',
      'syslog-tls/ca-key.pem',
      'syslog-tls/server-key.pem',
      'syslog-tls/client-key.pem',
    ]) {
      expect(mode('deployer', name), name).toBe(0o600);
    }
    const env = parse(read('deployer', 'env.yaml'));
    expect(env.logging.syslog).toMatchObject({ hostname: 'logs.example.com', port: 6514 });
    expect(env.logging.syslog.server).toBe(read('deployer', 'syslog-tls', 'ca.crt'));
    expect(env.logging.syslog.cert).toBe(read('deployer', 'syslog-tls', 'client.crt'));
    expect(env.logging.syslog.key).toBe(read('deployer', 'syslog-tls', 'client-key.pem'));
    expect(env.volumes.data.seed).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(env.signingKey).toBe(read('deployer', 'signing-public.pem'));
    await expectValidSection('env', join('deployer', 'env.yaml'));
    if (hasTool('openssl')) {
      const verify = runTool('openssl', [
        'verify',
        '-CAfile',
        path('deployer', 'syslog-tls', 'ca.crt'),
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'logs.example.com',
        path('deployer', 'syslog-tls', 'server.crt'),
      ]);
      expect(verify.status).toBe(0);
    }

    // the provider's and the deployer's files make a contract; inspect checks its signature
    const contract = await createContract({
      workload: { text: read('provider', 'workload.yaml'), source: 'workload.yaml' },
      env: { text: read('deployer', 'env.yaml'), source: 'env.yaml' },
      signing: { privateKey: createPrivateKey(read('deployer', 'signing-private.pem')) },
      now: new Date(),
      random: systemRandom,
    });
    writeFileSync(path('user-data.yaml'), contract.text);
    const inspected = await runCli(['inspect', path('user-data.yaml')]);
    expect(inspected.stdout).toContain(
      'envWorkloadSignature: present, RSA-2048, valid for env.signingKey',
    );
    expect(inspected.stdout).not.toContain(env.volumes.data.seed);
    expect(inspected.code).toBe(0);
  });

  it('deployer with IBM Cloud Logs: takes the IAM API key from the environment, never echoes it', async () => {
    const apiKey = 'iam-api-key-Secret-123456';
    const result = await init(
      [
        '--persona',
        'deployer',
        '--out-dir',
        path('logs'),
        '--logging',
        'logrouter',
        '--log-host',
        'x.logs.cloud.ibm.com',
        '--volume',
        'none',
        '--signing-key',
        'none',
      ],
      { HPVS_IAM_API_KEY: apiKey },
    );
    expect(result.stdout + result.stderr).not.toContain(apiKey);
    expect(readdirSync(path('logs'))).toEqual(['env.yaml']);
    const env = parse(read('logs', 'env.yaml'));
    expect(env.logging.logRouter).toEqual({
      hostname: 'x.logs.cloud.ibm.com',
      iamApiKey: apiKey,
      port: 443,
    });
    await expectValidSection('env', join('logs', 'env.yaml'));
  });

  it('auditor: an attestation key pair, the private key under the passphrase from a file', async () => {
    writeFileSync(path('pass.txt'), 'auditor passphrase\n');
    await init([
      '--persona',
      'auditor',
      '--out-dir',
      path('auditor'),
      '--passphrase-file',
      path('pass.txt'),
    ]);
    expect(mode('auditor', 'attestation-private.pem')).toBe(0o600);
    const key = createPrivateKey({
      key: read('auditor', 'attestation-private.pem'),
      passphrase: 'auditor passphrase',
    });
    expect(createPublicKey(key).export({ format: 'pem', type: 'spki' })).toBe(
      read('auditor', 'attestation-public.pem'),
    );
  });
});

describe('hpvs-ctl init, bad input', () => {
  it('refuses without a terminal, listing every missing flag, and writes nothing', async () => {
    const none = await runCli(['init']);
    expect(none.code).toBe(2);
    expect(isOneLineError(none.stderr)).toBe(true);
    expect(none.stderr).toContain(
      'missing: --persona <provider|deployer|auditor>, --out-dir <dir>',
    );

    const deployer = await runCli(['init', '--persona', 'deployer', '--out-dir', path('missing')]);
    expect(deployer.code).toBe(2);
    expect(isOneLineError(deployer.stderr)).toBe(true);
    expect(deployer.stderr).toContain(
      'missing: --logging <syslog|logrouter>, --log-host <host>, --volume <name|none>, --signing-key <generate|none>',
    );
    const logs = await runCli([
      'init',
      '--persona',
      'deployer',
      '--out-dir',
      path('missing'),
      '--logging',
      'logrouter',
      '--log-host',
      'h.example.com',
      '--volume',
      'none',
      '--signing-key',
      'none',
    ]);
    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain('missing: --iam-api-key-file <path>');
    expect(existsSync(path('missing'))).toBe(false);
  });

  it.each([
    [
      ['--persona', 'provider', '--compose', 'c', '--volume', 'Bad Name'],
      'invalid --volume "Bad Name"',
    ],
    [['--persona', 'provider', '--compose', 'c', '--volume', 'data:relative'], 'absolute path'],
    [
      ['--persona', 'provider', '--compose', 'c', '--play', 'p', '--volume', 'none'],
      'either --compose or --play',
    ],
    [
      [
        '--persona',
        'deployer',
        '--logging',
        'syslog',
        '--log-host',
        'bad_host',
        '--volume',
        'none',
        '--signing-key',
        'none',
      ],
      'invalid --log-host "bad_host"',
    ],
    [
      [
        '--persona',
        'deployer',
        '--logging',
        'syslog',
        '--log-host',
        'h.example.com',
        '--log-port',
        '70000',
        '--volume',
        'none',
        '--signing-key',
        'none',
      ],
      'invalid --log-port "70000"',
    ],
  ])('%j exits 2 with one line and writes nothing', async (args, message) => {
    const out = path(`usage-${Math.random().toString(36).slice(2)}`);
    const result = await runCli(['init', '--out-dir', out, ...args], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to overwrite without --force and does not create the compose folder then', async () => {
    mkdirSync(path('taken'));
    writeFileSync(path('taken', 'workload.yaml'), 'mine\n');
    const args = [
      'init',
      '--persona',
      'provider',
      '--out-dir',
      path('taken'),
      '--compose',
      path('taken', 'compose'),
      '--volume',
      'none',
    ];
    const result = await runCli([...args, ...FAST]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toContain('--force');
    expect(read('taken', 'workload.yaml')).toBe('mine\n');
    expect(existsSync(path('taken', 'compose'))).toBe(false);
    expect((await runCli([...args, ...FAST, '--force'])).code).toBe(0);
    expect(read('taken', 'workload.yaml')).toMatch(/^type: workload\n/);
  });
});

/**
 * The interactive path on a real terminal: `script` gives the CLI a pty, and each answer is
 * typed when its question appears, so no timing is assumed.
 */
describe.skipIf(!hasTool('script'))('hpvs-ctl init on a terminal', () => {
  it('asks the deployer questions, hides the API key as it is typed, and writes env.yaml', async () => {
    const apiKey = 'typed-Secret-api-key-987';
    const answers: [RegExp, string][] = [
      [/Which persona are you\?/, '\x1b[B\r'], // down to "deployer"
      [/Output folder:/, `${path('tty')}\r`],
      [/Where should the instance send its logs\?/, '\x1b[B\r'], // down to IBM Cloud Logs
      [/IBM Cloud Logs ingestion host:/, 'x.logs.cloud.ibm.com\r'],
      [/Port:/, '\r'],
      [/IAM API key \(not shown\):/, `${apiKey}\r`],
      [/Data volume name/, '\r'],
      [/Generate a contract signing key pair\?/, 'n\r'],
    ];
    const output = await answerOnTerminal(
      `${process.execPath} ${CLI} init --bits 2048`,
      answers,
      tempDir(),
    );
    expect(output).not.toContain(apiKey);
    const env = parse(read('tty', 'env.yaml'));
    expect(env.logging.logRouter).toEqual({
      hostname: 'x.logs.cloud.ibm.com',
      iamApiKey: apiKey,
      port: 443,
    });
    expect(env.volumes.data.seed).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(env.signingKey).toBeUndefined();
  });
});
