import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import {
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  runBounded,
} from './hostile-cli.js';

/**
 * Endless and oversized inputs (issue 9 item 6): every file a command reads has a maximum
 * checked while reading, so /dev/zero, an endless FIFO or an endless pipe on stdin ends in one
 * clear line and exit 1 under the memory limit, instead of growing until the machine kills it.
 * A command that reads everything first dies at the limit and fails its case; nothing is timed.
 * /dev/zero, an oversized file and a FIFO as each input of each command are rows of the matrix
 * in hostile-inputs.test.ts; here, endless standard input and work that grows with the input.
 */
const tempDir = useTempDir('hpvs-adversarial-endless-');
let f: AdversarialFiles;
beforeAll(async () => {
  f = await writeAdversarialFiles(join(tempDir(), 'fixtures'));
}, 60_000);

const TOO_LARGE = /too large|too big|too long|larger than|exceeds?|at most|limit|maximum/i;

let counter = 0;
function caseDir(): string {
  const dir = join(tempDir(), `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

/** `yes` writing forever into a pipe on stdin. */
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
