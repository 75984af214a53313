import { input, worded } from '../core/wording.js';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HpvsError } from '../core/errors.js';
import { outputMode } from './output-policy.js';
import { settleBounded } from './bounded-concurrency.js';
import { writeWithMode } from './write-output.js';

export interface OutputFile {
  /** File name inside the output folder, possibly below a subfolder: `tls/ca.crt`. */
  name: string;
  data: string | Uint8Array;
  /** It can hold a secret (a private key, a plaintext section): 0600 (see `OutputPolicy`). */
  secret: boolean;
}

export interface WriteFileSetOptions {
  /** Replace files that already exist instead of refusing. */
  force?: boolean;
  /** The input files the set was made from (see `OutputPolicy.from`). */
  from?: readonly (string | undefined)[] | undefined;
}

/**
 * Writes several related files (a key pair, a set of certificates) into a folder so that the
 * set appears whole or not at all: existing files are refused up front unless `force`, every
 * file is written atomically, and if one write fails the files written by this call are
 * removed again. The folder is created mode 0700 when missing, since it usually holds keys.
 */
export async function writeFileSet(
  dir: string,
  files: readonly OutputFile[],
  options: WriteFileSetOptions = {},
): Promise<string[]> {
  await makeFolder(dir);
  const paths = files.map((file) => join(dir, file.name));
  if (!options.force)
    await refuseExisting(
      dir,
      files.map((file) => file.name),
    );
  // a name may hold a subfolder ("syslog-tls/ca.crt"); it holds keys too, so 0700
  for (const folder of new Set(paths.map((path) => dirname(path)))) await makeFolder(folder);
  // every mode first, so that a file that would replace an input stops the set before any write
  const modes: number[] = [];
  for (const [index, file] of files.entries()) {
    modes.push(await outputMode(paths[index]!, { secret: file.secret, from: options.from }));
  }
  // a few at a time, so that the flushes of a large set (a batch of contracts) overlap without
  // running out of file descriptors
  const outcomes = await settleBounded(files, (file, index) =>
    writeWithMode(paths[index]!, file.data, modes[index]!),
  );
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    // With --force a file may have replaced an old one; removing it still leaves no mixed set
    // (half old, half new) behind.
    await Promise.all(
      paths.map((path, index) =>
        outcomes[index]!.status === 'fulfilled' ? unlink(path).catch(() => undefined) : undefined,
      ),
    );
    throw (failure as PromiseRejectedResult).reason;
  }
  return paths;
}

async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new HpvsError('OUTPUT_FAILED', `${dir}: cannot create the output folder (${code})`, {
      cause: error,
    });
  }
}

/**
 * Fails when any of the named files exists in `dir`; commands call it before slow work (key
 * generation) so that a forgotten --force costs nothing.
 */
export async function refuseExisting(dir: string, names: readonly string[]): Promise<void> {
  const existing: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (await exists(path)) existing.push(path);
  }
  if (existing.length > 0) {
    throw new HpvsError(
      'OUTPUT_FAILED',
      worded`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; ${input('another-folder-or-replace')}`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
