import { isUtf8 } from 'node:buffer';
import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveEntry } from '../core/archive/archive-entry.js';
import { HpvsError } from '../core/errors.js';
import { bytesForTerminal } from '../core/text/terminal-safe-text.js';
import { FOLDER_LIMITS, formatBytes } from './input-limits.js';
import { fileError, readInput } from './read-input.js';

export interface FolderContents {
  entries: ArchiveEntry[];
  /**
   * The group and other read bits every file and folder below has: what an output made from
   * all of them may share (see `OutputPolicy.ceiling`).
   */
  sharedMode: number;
  /** Bytes of all files so far, checked against `FOLDER_LIMITS` while reading. */
  bytes: number;
}

export async function readFolderEntries(dir: string): Promise<ArchiveEntry[]> {
  return (await readFolder(dir)).entries;
}

/**
 * Reads a folder's contents as archive entries (paths relative to the folder, `/`-separated).
 * Nothing is followed: a symbolic link, a hard-linked file, a fifo, a socket or a device anywhere
 * below the folder is refused with its path, because the runtime fails on them and a link
 * could pull files from outside the folder into a contract. At most `FOLDER_LIMITS` bytes and
 * entries are read.
 */
export async function readFolder(dir: string): Promise<FolderContents> {
  let root: Stats;
  try {
    root = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HpvsError('FILE_NOT_FOUND', `${dir}: folder not found; check the path`, {
        cause: error,
      });
    }
    throw fileError(dir, 'folder', error);
  }
  if (!root.isDirectory()) {
    throw new HpvsError('FILE_UNREADABLE', `${dir}: not a folder; give the folder to archive`);
  }
  const contents: FolderContents = { entries: [], sharedMode: root.mode & 0o044, bytes: 0 };
  await walk(dir, '', contents);
  return contents;
}

async function walk(dir: string, prefix: string, contents: FolderContents): Promise<void> {
  const { entries } = contents;
  const tooLarge = () =>
    new HpvsError(
      'INPUT_TOO_LARGE',
      `${dir}: the folder holds more than ${formatBytes(FOLDER_LIMITS.bytes)} of files or more than ${FOLDER_LIMITS.entries} files and folders, the most hpvs-ctl archives; ${FOLDER_LIMITS.advice}`,
    );
  let rawNames: Buffer[];
  try {
    rawNames = await readdir(join(dir, prefix), { encoding: 'buffer' });
  } catch (error) {
    throw fileError(join(dir, prefix), 'folder', error);
  }
  if (entries.length + rawNames.length > FOLDER_LIMITS.entries) throw tooLarge();
  for (const rawName of rawNames) {
    // Decoding would turn the bytes into U+FFFD, a name that does not exist on disk.
    if (!isUtf8(rawName)) {
      const shown = join(dir, prefix, bytesForTerminal(rawName));
      throw new HpvsError(
        'ARCHIVE_REFUSED',
        `${shown}: the file name is not valid UTF-8 (an archive member name must be): rename it`,
      );
    }
    const name = rawName.toString('utf8');
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    const path = join(dir, relative);
    let info: Stats;
    try {
      info = await lstat(path);
    } catch (error) {
      throw fileError(path, 'file', error);
    }
    contents.sharedMode &= info.mode;
    if (info.isDirectory()) {
      entries.push({ type: 'directory', path: relative });
      await walk(dir, relative, contents);
    } else if (info.isFile()) {
      if (info.nlink > 1) refuse(path, 'is a hard link (it has several names)');
      const budget = FOLDER_LIMITS.bytes - contents.bytes;
      if (info.size > budget) throw tooLarge();
      let data: Buffer;
      try {
        // bounded too: a file may grow between lstat and the read
        data = await readInput(path, 'file', { bytes: budget, kind: 'a folder', advice: '' });
      } catch (error) {
        if (error instanceof HpvsError && error.code === 'INPUT_TOO_LARGE') throw tooLarge();
        throw error;
      }
      contents.bytes += data.length;
      entries.push({ type: 'file', path: relative, data, executable: (info.mode & 0o111) !== 0 });
    } else {
      refuse(path, `is a ${specialKind(info)}`);
    }
  }
}

function specialKind(info: Stats): string {
  if (info.isSymbolicLink()) return 'symbolic link';
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  return 'special file';
}

function refuse(path: string, what: string): never {
  throw new HpvsError(
    'ARCHIVE_REFUSED',
    `${path} ${what}; a workload archive may hold only regular files and folders (the runtime fails on others): replace it with a copy or remove it`,
  );
}
