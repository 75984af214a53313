import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { writeAuthoringFiles, type AuthoringFiles } from '../cli/commands/contract-fixtures.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Valid inputs for every command, built with the CLI itself, so each hostile case changes one
 * thing of an invocation that otherwise succeeds. The seeds, the API key, the passphrase and
 * a line of each private key are planted secrets: no failure may print them.
 */
export interface AdversarialFiles extends AuthoringFiles {
  apiKey: string;
  passphrase: string;
  /** A plaintext workload and env section, and user data assembled and signed from them. */
  workload: string;
  env: string;
  userData: string;
  /** The same contract with both sections encrypted for `hpcrCert`. */
  userDataEncrypted: string;
  /** `workload` encrypted for `hpcrCert`. */
  workloadToken: string;
  secrets: string[];
}

export const API_KEY = 'apikey-SECRET-0a1b2c3d4e5f6a7b8c9d';
export const PASSPHRASE = 'passphrase-SECRET-correct-horse';

async function ok(args: string[], cwd: string): Promise<void> {
  const result = await runCli(args, { cwd });
  expect(result.code, `fixture: hpvs-ctl ${args.join(' ')}\n${result.stderr}`).toBe(0);
}

export async function writeAdversarialFiles(dir: string): Promise<AdversarialFiles> {
  mkdirSync(dir, { recursive: true });
  const base = await writeAuthoringFiles(dir);
  const path = (name: string) => join(dir, name);
  writeFileSync(path('apikey.txt'), `${API_KEY}\n`, { mode: 0o600 });
  writeFileSync(path('passphrase.txt'), `${PASSPHRASE}\n`, { mode: 0o600 });
  const seedArgs = ['--volume', 'data', '--seed-file'];
  await Promise.all([
    ok(
      ['workload', '--compose', base.composeDir, ...seedArgs, base.workloadSeed].concat([
        '--mount',
        '/mnt/data',
        '--out',
        path('workload.yaml'),
      ]),
      dir,
    ),
    ok(
      ['env', '--log-router-host', 'ingest.example.com', '--log-router-key-file'].concat([
        path('apikey.txt'),
        ...seedArgs,
        base.envSeed,
        '--out',
        path('env.yaml'),
      ]),
      dir,
    ),
  ]);
  const sections = ['--workload', path('workload.yaml'), '--env', path('env.yaml')];
  await Promise.all([
    ok(['contract', ...sections, '--sign-key', base.signKey, '--out', path('user-data.yaml')], dir),
    ok(
      ['contract', ...sections, '--sign-key', base.signKey, '--cert', base.hpcrCert].concat([
        '--out',
        path('user-data-enc.yaml'),
      ]),
      dir,
    ),
    ok(
      ['encrypt', path('workload.yaml'), '--cert', base.hpcrCert, '--out', path('workload.enc')],
      dir,
    ),
  ]);
  const keyLine = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .find((line) => /^[A-Za-z0-9+/]{64}$/.test(line))!;
  return {
    ...base,
    apiKey: path('apikey.txt'),
    passphrase: path('passphrase.txt'),
    workload: path('workload.yaml'),
    env: path('env.yaml'),
    userData: path('user-data.yaml'),
    userDataEncrypted: path('user-data-enc.yaml'),
    workloadToken: path('workload.enc'),
    secrets: [
      readFileSync(base.workloadSeed, 'utf8').trim(),
      readFileSync(base.envSeed, 'utf8').trim(),
      API_KEY,
      PASSPHRASE,
      keyLine(base.signKey),
      keyLine(base.hpcrKey),
      keyLine(base.caKey),
    ],
  };
}
