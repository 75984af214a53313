import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli, type CliOptions } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * An output that is the same file as one of its inputs would replace what it was made from
 * (issue 9 item 12): a usage error, the input left as it was, whatever the path's spelling.
 */
const tempDir = useTempDir('hpvs-ctl-output-onto-input-');
let f: AuthoringFiles;
const file = (name: string) => join(f.dir, name);
const SECTION = 'type: env\n';

/** Runs the command and expects a one-line usage error naming the output, `path` unchanged. */
async function refused(args: string[], path: string, options: CliOptions = {}): Promise<void> {
  const before = readFileSync(path);
  const result = await runCli(args, options);
  expect(result.code, result.stderr).toBe(2);
  expect(isOneLineError(result.stderr)).toBe(true);
  expect(result.stderr).toMatch(/the output is the same file as the input/);
  expect(result.stdout).toBe('');
  expect(readFileSync(path).equals(before)).toBe(true);
  expect(readdirSync(f.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(file('section.yaml'), SECTION);
  const encrypted = await runCli(
    story.encrypt({ file: file('section.yaml'), cert: f.hpcrCert, out: file('section.enc') }),
  );
  expect(encrypted.code).toBe(0);
}, 30_000);

describe('an output onto its own input', () => {
  it('encrypt: the same path, another spelling, a hard link, a symbolic link, stdin redirected', async () => {
    const section = file('section.yaml');
    const encrypt = (input: string, out: string) =>
      story.encrypt({ file: input, cert: f.hpcrCert, out });
    await refused(encrypt(section, section), section);
    mkdirSync(file('sub'));
    await refused(encrypt(section, join(f.dir, 'sub', '..', 'section.yaml')), section);
    linkSync(section, file('hard-link.yaml'));
    await refused(encrypt(section, file('hard-link.yaml')), section);
    symlinkSync(section, file('soft-link.yaml'));
    await refused(encrypt(file('soft-link.yaml'), section), section);
    await refused(encrypt('-', section), section, { stdinFile: section });
    expect(readFileSync(section, 'utf8')).toBe(SECTION);
  });

  it('decrypt and luks-passphrase keep the token and the seed', async () => {
    const token = file('section.enc');
    await refused(['decrypt', token, '--key', f.hpcrKey, '--out', token], token);
    const seeds = ['--env-seed-file', f.envSeed, '--workload-seed-file', f.workloadSeed];
    await refused(['luks-passphrase', ...seeds, '--out', f.workloadSeed], f.workloadSeed);
    await refused(['luks-passphrase', ...seeds, '--out', f.envSeed], f.envSeed);
  });

  it('contract refuses --out naming a section; keys generate a passphrase file it would replace', async () => {
    const env = file('env.enc');
    writeFileSync(env, readFileSync(file('section.enc')));
    await refused(['contract', '--workload', file('section.enc'), '--env', env, '--out', env], env);
    const keys = file('keys');
    mkdirSync(keys);
    const passphrase = join(keys, 'private.pem');
    writeFileSync(passphrase, 'correct horse battery\n');
    await refused(
      story.keysGenerate({ bits: 2048, outDir: keys, passphraseFile: passphrase, force: true }),
      passphrase,
    );
    expect(existsSync(join(keys, 'public.pem'))).toBe(false);
  });

  it('contract --batch writes no contract when one would replace an input', async () => {
    const dir = file('fleet');
    mkdirSync(dir);
    const inventory = join(dir, 'fleet.yaml');
    writeFileSync(inventory, 'instances:\n  - name: a\n  - name: fleet\n');
    await refused(
      story.contract({
        batch: inventory,
        workload: file('section.enc'),
        env: file('section.enc'),
        outDir: dir,
        force: true,
      }),
      inventory,
    );
    expect(readdirSync(dir)).toEqual(['fleet.yaml']);
  });

  it('still writes when the output is another file', async () => {
    const out = file('other.enc');
    const result = await runCli(
      story.encrypt({ file: file('section.yaml'), cert: f.hpcrCert, out }),
    );
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^hyper-protect-basic\./);
  });
});
