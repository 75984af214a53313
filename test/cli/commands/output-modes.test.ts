import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * The mode of every file a command writes (issue 9 item 3): secrets 0600 whatever the umask,
 * public outputs follow the umask, and no output is readable by more people than its input.
 */
const tempDir = useTempDir('hpvs-ctl-output-modes-');
let f: AuthoringFiles;
let counter = 0;
const file = (name: string) => join(f.dir, name);
const fresh = (suffix = '') => file(`out-${++counter}${suffix}`);
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Runs the CLI under `umask`, expects success, and returns the output file's mode. */
async function modeAfter(umask: string, args: string[], out: string): Promise<number> {
  const result = await runCli([...args], { umask });
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return modeOf(out);
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(file('apikey.txt'), 'iam-api-key-0123456789\n', { mode: 0o600 });
  writeFileSync(file('section.yaml'), 'type: env\n', { mode: 0o644 });
  writeFileSync(file('private-section.yaml'), 'type: env\n', { mode: 0o600 });
  // attestation decrypt opens only what reads as a record: the image version, then hash lines
  writeFileSync(file('record.txt'), `25.11.0\n${'ab'.repeat(32)} /dev/disk/by-label/boot\n`, {
    mode: 0o644,
  });
  const setup = async (args: string[]) => {
    const result = await runCli(args, { umask: '022' });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
  };
  await setup(['workload', '--compose', f.composeDir, '--out', file('workload.yaml')]);
  await setup(
    story.env({
      logRouterHost: 'h.example.com',
      logRouterKeyFile: file('apikey.txt'),
      signingKey: f.signPub,
      out: file('env.yaml'),
    }),
  );
  await setup(['encrypt', file('workload.yaml'), '--cert', f.hpcrCert, '--out', file('w.enc')]);
  await setup(['encrypt', file('env.yaml'), '--cert', f.hpcrCert, '--out', file('e.enc')]);
  await setup(['encrypt', file('record.txt'), '--cert', f.hpcrCert, '--out', file('record.enc')]);
  // a plaintext contract, made world-readable by hand as a careless user would
  await setup(
    story.contract({
      workload: file('workload.yaml'),
      env: file('env.yaml'),
      out: file('plain.yaml'),
    }),
  );
  chmodSync(file('plain.yaml'), 0o644);
  await setup(
    story.contract({ workload: file('w.enc'), env: file('e.enc'), out: file('sealed.yaml') }),
  );
  chmodSync(file('sealed.yaml'), 0o644);
}, 60_000);

describe.each([
  ['022', 0o644],
  ['077', 0o600],
])('under umask %s', (umask, publicMode) => {
  it('writes secrets 0600: decrypted tokens and records, passphrases, plaintext sections and contracts', async () => {
    let out = fresh();
    expect(
      await modeAfter(umask, ['decrypt', file('e.enc'), '--key', f.hpcrKey, '--out', out], out),
    ).toBe(0o600);
    out = fresh();
    const record = ['attestation', 'decrypt', '--record', file('record.enc'), '--key', f.hpcrKey];
    expect(await modeAfter(umask, [...record, '--out', out], out)).toBe(0o600);
    out = fresh();
    const seeds = ['--env-seed-file', f.envSeed, '--workload-seed-file', f.workloadSeed];
    expect(await modeAfter(umask, ['luks-passphrase', ...seeds, '--out', out], out)).toBe(0o600);
    out = fresh();
    const sections = ['--workload', file('workload.yaml'), '--env', file('env.yaml')];
    expect(await modeAfter(umask, ['contract', ...sections, '--out', out], out)).toBe(0o600);
    out = fresh();
    const workload = ['workload', '--compose', f.composeDir, '--out', out];
    expect(await modeAfter(umask, workload, out)).toBe(0o600);
    out = fresh();
    const env = ['env', '--log-router-host', 'h', '--log-router-key-file', file('apikey.txt')];
    expect(await modeAfter(umask, [...env, '--out', out], out)).toBe(0o600);
  });

  it('writes a signed plaintext contract 0600, even from a world-readable input', async () => {
    const out = fresh('.yaml');
    const sign = ['sign', file('plain.yaml'), '--key', f.signKey, '--out', out];
    expect(await modeAfter(umask, sign, out)).toBe(0o600);
  });

  it('writes public outputs with the mode the umask allows', async () => {
    let out = fresh();
    const encrypt = ['encrypt', file('section.yaml'), '--cert', f.hpcrCert, '--out', out];
    expect(await modeAfter(umask, encrypt, out)).toBe(publicMode);
    out = fresh('.yaml');
    const sign = ['sign', file('sealed.yaml'), '--key', f.signKey, '--out', out];
    expect(await modeAfter(umask, sign, out)).toBe(publicMode);
    out = fresh();
    expect(await modeAfter(umask, ['archive', f.composeDir, '--out', out], out)).toBe(publicMode);
    const keys = fresh();
    const result = await runCli(['keys', 'generate', '--bits', '2048', '--out-dir', keys], {
      umask,
    });
    expect(result.code).toBe(0);
    expect(modeOf(join(keys, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(keys, 'public.pem'))).toBe(publicMode);
  });

  it('never makes an output more readable than the input it was made from', async () => {
    let out = fresh();
    const encrypt = ['encrypt', file('private-section.yaml'), '--cert', f.hpcrCert];
    expect(await modeAfter(umask, [...encrypt, '--out', out], out)).toBe(0o600);
    // standard input redirected from a private file counts as that file
    out = fresh();
    const redirected = await runCli(['encrypt', '-', '--cert', f.hpcrCert, '--out', out], {
      umask,
      stdinFile: file('private-section.yaml'),
    });
    expect(redirected.code).toBe(0);
    expect(modeOf(out)).toBe(0o600);
    // an archive holds its folder's files: one private file makes it private
    const folder = fresh();
    mkdirSync(folder);
    writeFileSync(join(folder, 'docker-compose.yml'), 'services: {}\n', { mode: 0o644 });
    writeFileSync(join(folder, '.env'), 'TOKEN=secret\n', { mode: 0o600 });
    out = fresh();
    expect(await modeAfter(umask, ['archive', folder, '--out', out], out)).toBe(0o600);
  });
});

describe('rewriting a file in place', () => {
  it('keeps a 0600 contract 0600 when sign rewrites it (umask 022)', async () => {
    const target = fresh('.yaml');
    const contract = await runCli(
      ['contract', '--workload', file('workload.yaml'), '--env', file('env.yaml'), '--out', target],
      { umask: '022' },
    );
    expect(contract.code).toBe(0);
    expect(modeOf(target)).toBe(0o600);
    const sign = await runCli(['sign', target, '--key', f.signKey, '--out', target], {
      umask: '022',
    });
    expect(sign.stderr).not.toMatch(/error/);
    expect(sign.code).toBe(0);
    expect(modeOf(target)).toBe(0o600);
  });

  it('keeps a narrowed mode of an encrypted contract too (0640 stays 0640)', async () => {
    const target = fresh('.yaml');
    const contract = await runCli(
      ['contract', '--workload', file('w.enc'), '--env', file('e.enc'), '--out', target],
      { umask: '022' },
    );
    expect(contract.code).toBe(0);
    chmodSync(target, 0o640);
    const sign = await runCli(['sign', target, '--key', f.signKey, '--out', target], {
      umask: '022',
    });
    expect(sign.code).toBe(0);
    expect(modeOf(target)).toBe(0o640);
  });
});
