import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import { expectBounded, expectNoSecret, initBoundedEmulator, runBounded } from './hostile-cli.js';

/**
 * The commands that show a contract (its checks, its summary, its boot) succeed on a plaintext
 * contract full of secrets without printing one: seeds, the logging API key, key material.
 */
const tempDir = useTempDir('hpvs-adversarial-secrets-');
let f: AdversarialFiles;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
  await initBoundedEmulator(join(dir, 'hpcr'));
}, 60_000);

describe('the planted secrets are what the contract holds', () => {
  it('decrypt, whose job is to print the plaintext, prints the workload seed', async () => {
    const result = await runBounded(['decrypt', f.workloadToken, '--key', f.hpcrKey]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(f.secrets[0]);
  });
});

describe.concurrent('showing a plaintext contract never prints its secrets', () => {
  it.each<[string, () => string[]]>([
    ['validate', () => ['validate', f.userData]],
    ['validate --json', () => ['validate', '--json', f.userData]],
    ['validate --section env', () => ['validate', '--section', 'env', f.env]],
    ['inspect', () => ['inspect', f.userData]],
    ['inspect --json', () => ['inspect', '--json', f.userData]],
    ['verify', () => ['verify', f.userData, '--signing-key', f.signPub]],
    ['verify --decrypt-key', () => ['verify', f.userDataEncrypted, '--decrypt-key', f.hpcrKey]],
    [
      'emulator boot',
      () => [
        'emulator',
        'boot',
        f.userData,
        '--state',
        join(dir, 'hpcr'),
        '--out-dir',
        join(dir, 'instance'),
      ],
    ],
  ])('%s', async (label, args) => {
    const result = await runBounded(args());
    expectBounded(result, label);
    expect(result.code, `${label}: ${result.stderr}`).toBe(0);
    expectNoSecret(result, label, f.secrets);
  });
});
