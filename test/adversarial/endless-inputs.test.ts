import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import {
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  listTree,
  runBounded,
} from './hostile-cli.js';

/**
 * Endless and oversized inputs (issue 9 item 6): every file a command reads has a maximum
 * checked while reading, so /dev/zero, an endless FIFO or an endless pipe on stdin ends in one
 * clear line and exit 1 under the memory limit, instead of growing until the machine kills it.
 * A command that reads everything first dies at the limit and fails its case; nothing is timed.
 */
const tempDir = useTempDir('hpvs-adversarial-endless-');
let f: AdversarialFiles;
let envValuesFlag: string;
beforeAll(async () => {
  f = await writeAdversarialFiles(join(tempDir(), 'fixtures'));
  // the KEY=VALUE file flag of workload/env, whatever it is named (it must not be Node's
  // --env-file: see node-option-names.test.ts)
  const help = (await runCli(['workload', '--help'])).stdout;
  envValuesFlag = /(--env[\w-]*-file) </.exec(help)![1]!;
}, 60_000);

const ENDLESS = '/dev/zero';
const TOO_LARGE = /too large|too big|too long|larger than|exceeds?|at most|limit|maximum/i;

/** Each case names one endless input `E`; `out` is where an output would go. */
const CASES: [string, (e: string, out: string) => string[]][] = [
  ['encrypt FILE', (e, out) => ['encrypt', e, '--cert', f.hpcrCert, '--out', out]],
  ['encrypt --cert', (e, out) => ['encrypt', f.workload, '--cert', e, '--out', out]],
  ['decrypt FILE', (e, out) => ['decrypt', e, '--key', f.hpcrKey, '--out', out]],
  ['decrypt --key', (e, out) => ['decrypt', f.workloadToken, '--key', e, '--out', out]],
  [
    'decrypt --passphrase-file',
    (e, out) =>
      ['decrypt', f.workloadToken, '--key', f.hpcrKey, '--passphrase-file', e].concat([
        '--out',
        out,
      ]),
  ],
  ['validate', (e) => ['validate', e]],
  ['inspect', (e) => ['inspect', e]],
  ['sign FILE', (e, out) => ['sign', e, '--key', f.signKey, '--out', out]],
  ['sign --key', (e, out) => ['sign', f.userData, '--key', e, '--out', out]],
  ['verify FILE', (e) => ['verify', e, '--signing-key', f.signPub]],
  ['verify --signing-key', (e) => ['verify', f.userData, '--signing-key', e]],
  ['contract --workload', (e, out) => ['contract', '--workload', e, '--env', f.env, '--out', out]],
  [
    'contract --sign-key',
    (e, out) =>
      ['contract', '--workload', f.workload, '--env', f.env, '--sign-key', e].concat([
        '--out',
        out,
      ]),
  ],
  [
    'contract --batch',
    (e, out) =>
      ['contract', '--workload', f.workload, '--env', f.env, '--sign-key', f.signKey].concat([
        '--batch',
        e,
        '--out-dir',
        out,
      ]),
  ],
  [
    'workload --seed-file',
    (e, out) =>
      ['workload', '--compose', f.composeDir, '--volume', 'data', '--mount', '/mnt/d'].concat([
        '--seed-file',
        e,
        '--out',
        out,
      ]),
  ],
  [
    'workload --auths',
    (e, out) => ['workload', '--compose', f.composeDir, '--auths', e, '--out', out],
  ],
  [
    'workload env values file',
    (e, out) => ['workload', '--compose', f.composeDir, envValuesFlag, e, '--out', out],
  ],
  [
    'env --log-router-key-file',
    (e, out) =>
      ['env', '--log-router-host', 'ingest.example.com', '--log-router-key-file', e].concat([
        '--out',
        out,
      ]),
  ],
  [
    'env --syslog-ca',
    (e, out) =>
      ['env', '--syslog-host', 'logs.example.com', '--syslog-ca', e].concat([
        '--syslog-cert',
        f.hpcrCert,
        '--syslog-key',
        f.hpcrKey,
        '--out',
        out,
      ]),
  ],
  [
    'env --seed-file',
    (e, out) =>
      ['env', '--log-router-host', 'ingest.example.com', '--log-router-key-file', f.apiKey].concat([
        '--volume',
        'data',
        '--seed-file',
        e,
        '--out',
        out,
      ]),
  ],
  [
    'luks-passphrase --env-seed-file',
    (e, out) =>
      ['luks-passphrase', '--env-seed-file', e, '--workload-seed-file', f.workloadSeed].concat([
        '--out',
        out,
      ]),
  ],
  [
    'keys generate --passphrase-file',
    (e, out) => ['keys', 'generate', '--bits', '2048', '--passphrase-file', e, '--out-dir', out],
  ],
  ['certs verify CERT', (e) => ['certs', 'verify', e, '--root', f.caCert, '--no-crl']],
  [
    'certs verify --chain',
    (e) => ['certs', 'verify', f.hpcrCert, '--chain', e, '--root', f.caCert],
  ],
  ['certs verify --crl', (e) => ['certs', 'verify', f.hpcrCert, '--root', f.hpcrCert, '--crl', e]],
  [
    'attestation verify --record',
    (e) =>
      [
        'attestation',
        'verify',
        '--record',
        e,
        '--signature',
        f.signPub,
        '--cert',
        f.hpcrCert,
      ].concat(['--root', f.hpcrCert, '--no-crl']),
  ],
  [
    'attestation verify --signature',
    (e) =>
      [
        'attestation',
        'verify',
        '--record',
        f.userData,
        '--signature',
        e,
        '--cert',
        f.hpcrCert,
      ].concat(['--root', f.hpcrCert, '--no-crl']),
  ],
  [
    'attestation verify --contract',
    (e) =>
      ['attestation', 'verify', '--record', f.userData, '--signature', f.signPub].concat([
        '--cert',
        f.hpcrCert,
        '--root',
        f.hpcrCert,
        '--no-crl',
        '--contract',
        e,
      ]),
  ],
  [
    'attestation decrypt --record',
    (e, out) => ['attestation', 'decrypt', '--record', e, '--key', f.hpcrKey, '--out', out],
  ],
  [
    'emulator log-server --ca',
    (e, out) =>
      ['emulator', 'log-server', '--port', '0', '--ca', e, '--cert', f.hpcrCert].concat([
        '--key',
        f.hpcrKey,
        '--out',
        out,
      ]),
  ],
  [
    'init --iam-api-key-file',
    (e, out) =>
      ['init', '--persona', 'deployer', '--out-dir', out, '--logging', 'logrouter']
        .concat(['--log-host', 'ingest.example.com', '--iam-api-key-file', e, '--volume', 'none'])
        .concat(['--signing-key', 'none', '--bits', '2048']),
  ],
];

let counter = 0;
function caseDir(): string {
  const dir = join(tempDir(), `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

describe.concurrent('an endless file (/dev/zero) as each input of each command', () => {
  it.each(CASES)('%s', async (label, args) => {
    const dir = caseDir();
    const result = await runBounded(args(ENDLESS, join(dir, 'out')), { cwd: dir });
    expectCleanFailure(result, label, { code: 1, message: TOO_LARGE, secrets: f.secrets });
    expectNothingWritten(dir, [], label);
  });
});

/** `yes` writing forever: into a pipe on stdin, or into a FIFO the command opens by name. */
describe('endless pipes', () => {
  const STDIN_CASES: [string, () => string[]][] = [
    ['encrypt -', () => ['encrypt', '-', '--cert', f.hpcrCert]],
    ['decrypt -', () => ['decrypt', '-', '--key', f.hpcrKey]],
    ['validate -', () => ['validate', '-']],
    ['inspect -', () => ['inspect', '-']],
    ['sign -', () => ['sign', '-', '--key', f.signKey]],
    ['verify -', () => ['verify', '-', '--signing-key', f.signPub]],
    ['keys generate --passphrase-file -', () => ['keys', 'generate', '--passphrase-file', '-']],
  ];

  it.each(STDIN_CASES)('%s with an endless child process on stdin', async (label, args) => {
    const dir = caseDir();
    const producer = spawn('yes', ['hostile input line'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const extra = label.startsWith('keys')
        ? ['--out-dir', join(dir, 'out'), '--bits', '2048']
        : [];
      const result = await runBounded([...args(), ...extra], { cwd: dir, stdin: producer.stdout });
      expectCleanFailure(result, label, { code: 1, message: TOO_LARGE, secrets: f.secrets });
      expectNothingWritten(dir, [], label);
    } finally {
      producer.kill('SIGKILL');
    }
  });

  it('encrypt reads a FIFO fed forever and stops at its limit', async () => {
    const dir = caseDir();
    const fifo = join(dir, 'section.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // the writer blocks until the command opens the FIFO, then writes until it is closed
    const writer = spawn('sh', ['-c', 'exec yes "key: value" > "$0"', fifo], { stdio: 'ignore' });
    try {
      const before = listTree(dir);
      const result = await runBounded(
        ['encrypt', fifo, '--cert', f.hpcrCert, '--out', join(dir, 'out')],
        {
          cwd: dir,
        },
      );
      expectCleanFailure(result, 'encrypt FIFO', { code: 1, message: TOO_LARGE });
      expectNothingWritten(dir, before, 'encrypt FIFO');
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('work that grows with the input stays bounded', () => {
  it('validate reports 80,000 unknown keys without a per-problem scan of the file (item 8)', async () => {
    const dir = caseDir();
    const file = join(dir, 'workload.yaml');
    const keys = Array.from({ length: 80_000 }, (_, i) => `unknown${i}: x\n`).join('');
    writeFileSync(file, `${readFileSync(f.workload, 'utf8')}${keys}`);
    const result = await runBounded(['validate', '--section', 'workload', file], { cwd: dir });
    // quadratic position lookup took 82 s here; a linear one needs a fraction of the kill timeout
    expectBounded(result, 'validate with 80,000 unknown keys');
    expect(result.code, result.stderr).toBe(0);
    const base = readFileSync(f.workload, 'utf8').split('\n').length - 1;
    expect(result.stdout).toContain(`workload.yaml:${base + 80_000}:1 workload.unknown79999:`);
  });
});
