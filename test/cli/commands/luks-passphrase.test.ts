import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-luks-');

function seeds() {
  const dir = tempDir();
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  return {
    dir,
    env: write('env.seed', 'env-seed-0123456789!@#\n'),
    workload: write('workload.seed', 'workload-seed-0123456789\n'),
    other: write('other.seed', 'another-seed-0123456789\n'),
    short: write('short.seed', 'short\n'),
    empty: write('empty.seed', '\n'),
  };
}

describe('hpvs-ctl luks-passphrase', () => {
  it('prints sha256(env seed || workload seed) as 64 hex, env seed first', async () => {
    const s = seeds();
    const result = await runCli([
      'luks-passphrase',
      '--env-seed-file',
      s.env,
      '--workload-seed-file',
      s.workload,
    ]);
    expect(result.code).toBe(0);
    const expected = runTool('sha256sum', [], 'env-seed-0123456789!@#workload-seed-0123456789')
      .stdout.toString()
      .slice(0, 64);
    expect(result.stdout).toBe(`${expected}\n`);
    const swapped = await runCli([
      'luks-passphrase',
      '--env-seed-file',
      s.workload,
      '--workload-seed-file',
      s.env,
    ]);
    expect(swapped.stdout).not.toBe(result.stdout);
  });

  it('reads one seed from stdin, and refuses both from stdin as a usage error (exit 2)', async () => {
    const s = seeds();
    const one = await runCli(
      ['luks-passphrase', '--env-seed-file', '-', '--workload-seed-file', s.workload],
      { stdin: 'env-seed-0123456789!@#\n' },
    );
    expect(one.code).toBe(0);
    const both = await runCli(
      ['luks-passphrase', '--env-seed-file', '-', '--workload-seed-file', '-'],
      { stdin: 'env-seed-0123456789!@#\n' },
    );
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toBe(
      'hpvs-ctl: error: only one input can come from stdin (-), but --env-seed-file and --workload-seed-file both ask for it\n(run with --help for usage)\n',
    );
  });

  it('states the seed order in its help', async () => {
    const help = await runCli(['luks-passphrase', '--help']);
    expect(help.stdout).toMatch(/env seed FIRST, then workload seed/);
  });

  it('writes a key file without newline, mode 0600', async () => {
    const s = seeds();
    const out = join(s.dir, 'data.key');
    const result = await runCli(
      story.luksPassphrase({
        envSeedFile: s.env,
        workloadSeedFile: s.workload,
        thirdSeedFile: s.other,
        out,
      }),
    );
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('refuses a missing or empty seed and a missing flag, and warns about a short seed', async () => {
    const s = seeds();
    const keyFile = join(s.dir, 'never.key');
    await expectCliError(
      story.luksPassphrase({
        envSeedFile: join(s.dir, 'nope'),
        workloadSeedFile: s.workload,
        out: keyFile,
      }),
      /nope: env volume seed file not found/,
    );
    expect(existsSync(keyFile)).toBe(false);
    await expectCliError(
      ['luks-passphrase', '--env-seed-file', s.env, '--workload-seed-file', s.empty],
      /the workload volume seed is empty/,
    );
    const usage = await runCli(['luks-passphrase', '--env-seed-file', s.env]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--workload-seed-file/);
    const short = await runCli([
      'luks-passphrase',
      '--env-seed-file',
      s.short,
      '--workload-seed-file',
      s.workload,
    ]);
    expect(short.code).toBe(0);
    expect(short.stderr).toMatch(
      /short\.seed: the runtime refuses seeds shorter than 15 characters/,
    );
    expect(short.stderr).not.toContain('short\n');
  });

  it('never takes a seed on the command line', async () => {
    const result = await runCli([
      'luks-passphrase',
      '--env-seed',
      'x',
      '--workload-seed-file',
      'y',
    ]);
    expect(result.code).toBe(2);
  });
});

const cryptsetup = hasTool('cryptsetup')
  ? 'cryptsetup'
  : existsSync('/usr/sbin/cryptsetup')
    ? '/usr/sbin/cryptsetup'
    : undefined;

describe.skipIf(cryptsetup === undefined)(
  `LUKS2 volume opened with the derived passphrase (${cryptsetup ? 'cryptsetup' : 'skipped: cryptsetup is not installed'})`,
  () => {
    it('formats a LUKS2 image with the passphrase, unlocks it, and a wrong seed does not', async () => {
      const s = seeds();
      const image = join(s.dir, 'volume.img');
      writeFileSync(image, Buffer.alloc(32 * 1024 * 1024));
      const passphrase = (
        await runCli([
          'luks-passphrase',
          '--env-seed-file',
          s.env,
          '--workload-seed-file',
          s.workload,
        ])
      ).stdout.trim();
      const format = runTool(
        cryptsetup!,
        [
          'luksFormat',
          '--type',
          'luks2',
          '--batch-mode',
          '--pbkdf',
          'pbkdf2',
          '--pbkdf-force-iterations',
          '1000',
          '--key-file',
          '-',
          image,
        ],
        passphrase,
      );
      expect(format.stderr).toBe('');
      expect(format.status).toBe(0);
      const open = (key: string) =>
        runTool(cryptsetup!, ['open', '--test-passphrase', '--key-file', '-', image], key);
      expect(open(passphrase).status).toBe(0);
      const wrong = (
        await runCli([
          'luks-passphrase',
          '--env-seed-file',
          s.other,
          '--workload-seed-file',
          s.workload,
        ])
      ).stdout.trim();
      expect(open(wrong).status).not.toBe(0);
      const swapped = (
        await runCli([
          'luks-passphrase',
          '--env-seed-file',
          s.workload,
          '--workload-seed-file',
          s.env,
        ])
      ).stdout.trim();
      expect(open(swapped).status).not.toBe(0);
      // the --out key file is usable as it is
      const keyFile = join(s.dir, 'volume.key');
      await runCli(
        story.luksPassphrase({ envSeedFile: s.env, workloadSeedFile: s.workload, out: keyFile }),
      );
      expect(
        runTool(cryptsetup!, ['open', '--test-passphrase', '--key-file', keyFile, image]).status,
      ).toBe(0);
    });
  },
);
