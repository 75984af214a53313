import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, isOneLineError, PROJECT_ROOT, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { opensslKeyPair } from '../../helpers/openssl-key-pair.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
const path = (...parts: string[]) => join(tempDir(), ...parts);
let counter = 0;
const freshDir = () => path(`out-${++counter}`);

const ENV = [
  'type: env',
  '# the deployer keeps this comment',
  'logging:',
  '  logRouter:',
  '    hostname: fleet.logs.cloud.ibm.com',
  '    iamApiKey: fleet-api-key',
  '    port: 443',
  'volumes:',
  '  data:',
  '    seed: defaultEnvSeed0123456789',
  'env:',
  '  REGION: eu-de',
  '',
].join('\n');

// five instances: enough for the worker threads to be used (from four on)
const INVENTORY = `instances:
  - name: web-1
    env:
      PORT: "8080"
    seedFile: seeds/web-1.seed
  - name: web-2
    seedFile: seeds/web-2.seed
  - name: web-3
    env:
      REGION: us-south
      ENABLED: "yes"
      AT: "12:30"
  - name: db
    env:
      ROLE: primary
      DEBUG: "true"
  - name: batch.worker_5
`;

const baseArgs = () =>
  story.contract({
    workload: path('workload.yaml'),
    env: path('env.yaml'),
    cert: path('hpcr-public.pem'),
    signKey: path('sign.pem'),
  });

async function decrypt(token: string): Promise<string> {
  const file = path(`token-${++counter}`);
  writeFileSync(file, token);
  const result = await runCli(['decrypt', file, '--key', path('hpcr.pem')]);
  expect(result.code).toBe(0);
  return result.stdout;
}

describe.skipIf(!hasTool('openssl'))('hpvs-ctl contract --batch', () => {
  beforeAll(() => {
    opensslKeyPair(tempDir(), 'hpcr', 4096);
    opensslKeyPair(tempDir(), 'sign');
    const template = readFileSync(join(PROJECT_ROOT, 'templates', 'workload-compose.yaml'), 'utf8');
    writeFileSync(
      path('workload.yaml'),
      template.replace('REPLACE-with-a-random-workload-seed', 'workloadSeed0123456789'),
    );
    writeFileSync(path('env.yaml'), ENV);
    mkdirSync(path('seeds'));
    writeFileSync(path('seeds', 'web-1.seed'), 'seedOfWeb1abcdefghij\n');
    writeFileSync(path('seeds', 'web-2.seed'), 'seedOfWeb2abcdefghij\n');
    writeFileSync(path('fleet.yaml'), INVENTORY);
  });

  it('writes one signed, encrypted contract per instance with its env values and seed', async () => {
    const out = freshDir();
    const result = await runCli([...baseArgs(), '--batch', path('fleet.yaml'), '--out-dir', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = ['web-1', 'web-2', 'web-3', 'db', 'batch.worker_5'];
    expect(result.stdout).toBe(names.map((name) => `${join(out, `${name}.yaml`)}\n`).join(''));

    const contracts = names.map((name) => parse(readFileSync(join(out, `${name}.yaml`), 'utf8')));
    // the provider's workload is encrypted once and shared, as one handed-over token would be
    expect(new Set(contracts.map((contract) => contract.workload)).size).toBe(1);
    expect(await decrypt(contracts[0].workload)).toBe(readFileSync(path('workload.yaml'), 'utf8'));

    const envs = await Promise.all(
      contracts.map(async (contract) => parse(await decrypt(contract.env))),
    );
    expect(envs.map((env) => env.volumes.data.seed)).toEqual([
      'seedOfWeb1abcdefghij',
      'seedOfWeb2abcdefghij',
      'defaultEnvSeed0123456789',
      'defaultEnvSeed0123456789',
      'defaultEnvSeed0123456789',
    ]);
    expect(envs.map((env) => env.env)).toEqual([
      { REGION: 'eu-de', PORT: '8080' },
      { REGION: 'eu-de' },
      { REGION: 'us-south', ENABLED: 'yes', AT: '12:30' },
      { REGION: 'eu-de', ROLE: 'primary', DEBUG: 'true' },
      { REGION: 'eu-de' },
    ]);
    const signingKey = readFileSync(path('sign-public.pem'), 'utf8');
    for (const [index, contract] of contracts.entries()) {
      expect(envs[index].signingKey).toBe(signingKey);
      // openssl is the oracle for the signature over the workload and env tokens
      writeFileSync(path('signature.bin'), Buffer.from(contract.envWorkloadSignature, 'base64'));
      const verified = runTool(
        'openssl',
        [
          'dgst',
          '-sha256',
          '-verify',
          path('sign-public.pem'),
          '-signature',
          path('signature.bin'),
        ],
        contract.workload + contract.env,
      );
      expect(verified.stdout.toString()).toBe('Verified OK\n');
    }
    const decryptedEnv = await decrypt(contracts[2].env);
    expect(decryptedEnv).toContain('# the deployer keeps this comment');
    // quoted, so that YAML 1.1 readers do not take them for a boolean and a number
    expect(decryptedEnv).toContain('ENABLED: "yes"\n  AT: "12:30"\n');
  });

  it('--json summarises each instance: its file and the SHA-256 openssl gives it', async () => {
    const out = freshDir();
    const result = await runCli([
      ...baseArgs(),
      '--batch',
      path('fleet.yaml'),
      '--out-dir',
      out,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    const names = ['web-1', 'web-2', 'web-3', 'db', 'batch.worker_5'];
    const sha256 = (file: string) =>
      runTool('openssl', ['dgst', '-sha256', '-r'], readFileSync(file))
        .stdout.toString()
        .split(' ')[0];
    expect(document).toEqual({
      outDir: out,
      contracts: names.map((name) => ({
        name,
        out: join(out, `${name}.yaml`),
        plaintextSections: [],
        sha256_out: sha256(join(out, `${name}.yaml`)),
      })),
      // plaintext inputs (the inventory, the env and workload sections) can hold secrets
      sha256_in: { inventory: null, workload: null, env: null },
    });
    expect(result.stdout).not.toContain('fleet-api-key');
    // without --cert the contracts are plaintext: their digests are withheld too
    const plain = baseArgs().filter(
      (arg, index, all) => arg !== '--cert' && all[index - 1] !== '--cert',
    );
    const plainOut = freshDir();
    const plainResult = await runCli([
      ...plain,
      '--batch',
      path('fleet.yaml'),
      '--out-dir',
      plainOut,
      '--json',
    ]);
    expect(plainResult.code, plainResult.stderr).toBe(0);
    for (const contract of JSON.parse(plainResult.stdout).contracts) {
      expect(contract.plaintextSections).toEqual(['workload', 'env']);
      expect(contract.sha256_out).toBeNull();
    }
  });

  it.skipIf(!hasTool('script'))('shows a progress line on a terminal', () => {
    const out = freshDir();
    // `script` gives the CLI a terminal; the line is rewritten in place with \r
    const command = [
      process.execPath,
      CLI,
      ...baseArgs(),
      '--batch',
      path('fleet.yaml'),
      '--out-dir',
      out,
    ]
      .map((arg) => `'${arg}'`)
      .join(' ');
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('\rcontracts: 5/5');
    expect(readdirSync(out)).toHaveLength(5);
  });

  it("writes plaintext contracts without --cert in IBM's | block-string form, or as mappings on request", async () => {
    const plain = baseArgs().filter(
      (arg, index, all) => arg !== '--cert' && all[index - 1] !== '--cert',
    );
    for (const [style, header] of [
      [[], /^workload: \|\n {2}# Workload section/],
      [['--section-style', 'mapping'], /^workload:\n {2}# Workload section/],
    ] as const) {
      const out = freshDir();
      const result = await runCli([
        ...plain,
        ...style,
        '--batch',
        path('fleet.yaml'),
        '--out-dir',
        out,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const text = readFileSync(join(out, 'web-1.yaml'), 'utf8');
      expect(text).toMatch(header);
      // plaintext sections hold the seeds: every contract is private
      for (const name of readdirSync(out)) {
        expect(statSync(join(out, name)).mode & 0o777, name).toBe(0o600);
      }
      expect((await runCli(['verify', join(out, 'web-1.yaml')])).code).toBe(0);
    }
  });

  it('refuses to replace existing contracts without --force, and replaces them all with it', async () => {
    const out = freshDir();
    mkdirSync(out);
    writeFileSync(join(out, 'db.yaml'), 'old\n');
    const refused = await runCli([...baseArgs(), '--batch', path('fleet.yaml'), '--out-dir', out]);
    expect(refused.code).toBe(1);
    expect(isOneLineError(refused.stderr)).toBe(true);
    expect(refused.stderr).toContain('--force');
    expect(readdirSync(out)).toEqual(['db.yaml']);
    const forced = await runCli([
      ...baseArgs(),
      '--batch',
      path('fleet.yaml'),
      '--out-dir',
      out,
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(readdirSync(out)).toHaveLength(5);
    expect(readFileSync(join(out, 'db.yaml'), 'utf8')).toMatch(/^workload: hyper-protect-basic\./);
  });

  describe('bad input', () => {
    it.each([
      [
        'instances:\n  - name: a\n  - name: A\n',
        /fleet-bad\.yaml:3:11 instances\[1\]\.name: "A" is already used at .*fleet-bad\.yaml:2:11/,
      ],
      [
        'instances:\n  - name: ../escape\n',
        /fleet-bad\.yaml:2:11 instances\[0\]\.name: must be 1 to 64 letters/,
      ],
      [
        'instances:\n  - name: a\n    env:\n      PORT: 8080\n',
        /fleet-bad\.yaml:4:13 instances\[0\]\.env\.PORT: must be a string; quote numbers/,
      ],
      [
        'instances:\n  - name: a\n    env:\n      1BAD: "x"\n',
        /fleet-bad\.yaml:4:7 instances\[0\]\.env\.1BAD: the name must match/,
      ],
      [
        'instances:\n  - name: a\n    seed: abc\n',
        /fleet-bad\.yaml:3:5 instances\[0\]\.seed: unknown key/,
      ],
      ['instances: []\n', /fleet-bad\.yaml:1:12 instances: must be a non-empty list/],
      ['hosts:\n  - name: a\n', /fleet-bad\.yaml:1:1 hosts: unknown key/],
      ['instances:\n  - name: [a\n', /fleet-bad\.yaml:\d+:\d+: invalid YAML/],
      [
        'instances:\n  - name: a\n    seedFile: seeds/missing.seed\n',
        /seeds\/missing\.seed: env volume seed of instance "a" file not found/,
      ],
      [
        'instances:\n  - name: a\n  - name: b\n    seedFile: seeds/short.seed\n',
        /fleet-bad\.yaml:3:5 instance "b": .*env\.volumes\.data\.seed: must be at least 15 characters/,
      ],
      // a seed that is not UTF-8 would reach the contract as U+FFFD, another passphrase
      [
        'instances:\n  - name: a\n    seedFile: seeds/latin1.seed\n',
        /seeds\/latin1\.seed:1:10: not UTF-8; the env volume seed of instance "a" must be UTF-8/,
      ],
      // four instances: the failing one is built on a worker thread
      [
        'instances:\n  - name: a\n  - name: b\n  - name: c\n  - name: d\n    seedFile: seeds/short.seed\n',
        /fleet-bad\.yaml:5:5 instance "d": .*env\.volumes\.data\.seed: must be at least 15 characters/,
      ],
    ])('%j: exits 1 with one positioned line and writes nothing', async (inventory, message) => {
      writeFileSync(path('seeds', 'short.seed'), 'short\n');
      writeFileSync(
        path('seeds', 'latin1.seed'),
        Buffer.from('seedOfCaf\xe9Extra0123456789\n', 'latin1'),
      );
      writeFileSync(path('fleet-bad.yaml'), inventory);
      const out = freshDir();
      const result = await runCli([
        ...baseArgs(),
        '--batch',
        path('fleet-bad.yaml'),
        '--out-dir',
        out,
      ]);
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });

    it('stops the threads and writes nothing when the workload is invalid', async () => {
      writeFileSync(
        path('bad-workload.yaml'),
        readFileSync(path('workload.yaml'), 'utf8').replace('workloadSeed0123456789', 'short'),
      );
      const out = freshDir();
      const args = [...baseArgs(), '--batch', path('fleet.yaml'), '--out-dir', out];
      args[args.indexOf(path('workload.yaml'))] = path('bad-workload.yaml');
      const result = await runCli(args);
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toMatch(
        /bad-workload\.yaml:\d+:\d+ workload\.volumes\.data\.seed: must be at least 15/,
      );
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });

    it.each([
      [['--batch', 'fleet.yaml'], '--batch needs --out-dir'],
      [
        ['--batch', 'fleet.yaml', '--out-dir', 'x', '--out', 'u.yaml'],
        '--out does not work with --batch',
      ],
      [['--out-dir', 'x'], '--out-dir and --force only work with --batch'],
      [
        ['--batch', '-', '--out-dir', 'x', '--env', '-'],
        'only one input can come from stdin (-), but --env and --batch both ask for it',
      ],
    ])('%j: usage error, exit 2', async (args, message) => {
      const result = await runCli([...baseArgs(), ...args], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain(message);
    });
  });
});
