import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SEED_FILE_NAMES,
  SEED_VOLUME_ID,
  type SeedFileName,
  type SeedFiles,
} from '../core/cidata/seed-files.js';
import { HpvsError } from '../core/errors.js';
import { runProcess } from './run-process.js';

export const XORRISO_HINT = 'install the Debian package xorriso: apt-get install xorriso';

/**
 * The one date every timestamp of the image gets: SOURCE_DATE_EPOCH when the caller's
 * environment sets it (the reproducible-builds convention), else the Unix epoch.
 */
export function seedImageEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['SOURCE_DATE_EPOCH'];
  if (value === undefined || value === '') return 0;
  if (!/^[0-9]{1,11}$/.test(value)) {
    throw new HpvsError(
      'USAGE',
      `SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${value}"`,
    );
  }
  return Number(value);
}

/**
 * Builds the NoCloud seed image (ISO 9660 with Joliet and Rock Ridge, volume id `cidata`) with
 * xorriso. The files are copied into a private folder with fixed names, modes and dates, and
 * Rock Ridge ownership is rationalised (`-r`), so the same inputs give the same bytes.
 */
export async function buildSeedImage(files: SeedFiles, epoch: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'hpvs-ctl-cidata-'));
  try {
    const names: string[] = [];
    for (const name of SEED_FILE_NAMES) {
      const data = files[name];
      if (data === undefined) continue;
      await writeFile(join(dir, name), data, { mode: 0o600 });
      await utimes(join(dir, name), epoch, epoch);
      names.push(name);
    }
    const result = await runProcess(
      'xorriso',
      [
        '-no_rc',
        '-as',
        'mkisofs',
        '-quiet',
        '-volid',
        SEED_VOLUME_ID,
        '-joliet',
        '-r',
        '-output',
        'seed.iso',
        ...names,
      ],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: String(epoch) }, installHint: XORRISO_HINT },
    );
    if (result.status !== 0) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        `xorriso could not build the seed image: ${lastLine(result.stderr, result.status)}`,
      );
    }
    return await readFile(join(dir, 'seed.iso'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the seed files back out of an image's bytes with xorriso (`-osirrox on -extract`), as
 * the emulator boots from it. The bytes are copied to a private file first, so what is
 * extracted is what the caller hashed. Files other than the three cloud-init names are ignored.
 */
export async function extractSeedImage(
  image: Uint8Array,
  source: string,
): Promise<Partial<Record<SeedFileName, Buffer>>> {
  const dir = await mkdtemp(join(tmpdir(), 'hpvs-ctl-cidata-'));
  try {
    await writeFile(join(dir, 'seed.iso'), image, { mode: 0o600 });
    const result = await runProcess(
      'xorriso',
      ['-no_rc', '-osirrox', 'on', '-indev', 'seed.iso', '-extract', '/', 'seed'],
      { cwd: dir, installHint: XORRISO_HINT },
    );
    if (result.status !== 0) {
      throw new HpvsError(
        'CIDATA_INVALID',
        `${source}: not a readable seed image (${lastLine(result.stderr, result.status)})`,
      );
    }
    // xorriso treats any file as a blank image; the volume id tells a seed image apart
    if (/No ISO 9660 image/.test(result.stderr)) {
      throw new HpvsError('CIDATA_INVALID', `${source}: not an ISO 9660 image`);
    }
    const volumeId = /^Volume id\s*:\s*'(.*)'\s*$/m.exec(result.stderr)?.[1];
    if (volumeId !== SEED_VOLUME_ID) {
      throw new HpvsError(
        'CIDATA_INVALID',
        `${source}: volume id ${JSON.stringify(volumeId ?? '')}, but cloud-init looks for a seed image labelled ${SEED_VOLUME_ID}`,
      );
    }
    const found: Partial<Record<SeedFileName, Buffer>> = {};
    for (const name of SEED_FILE_NAMES) {
      try {
        found[name] = await readFile(join(dir, 'seed', name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EISDIR') throw error;
      }
    }
    return found;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** xorriso's last complaint, for a one-line error. */
function lastLine(stderr: string, status: number): string {
  return (
    stderr
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .pop()
      ?.trim() ?? `exit ${status}`
  );
}
