import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { HpvsError } from '../errors.js';
import { fileError } from './read-input.js';

export interface FolderContents {
  entries: ArchiveEntry[];
  /**
   * The group and other read bits every file and folder below has: what an output made from
   * all of them may share (see `OutputPolicy.ceiling`).
   */
  sharedMode: number;
}

export async function readFolderEntries(dir: string): Promise<ArchiveEntry[]> {
  return (await readFolder(dir)).entries;
}

/**
 * Reads a folder's contents as archive entries (paths relative to the folder, `/`-separated).
 * Nothing is followed: a symbolic link, a hard-linked file, a fifo, a socket or a device anywhere
 * below the folder is refused with its path, because the runtime fails on them and a link
 * could pull files from outside the folder into a contract.
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
  const contents: FolderContents = { entries: [], sharedMode: root.mode & 0o044 };
  await walk(dir, '', contents);
  return contents;
}

async function walk(dir: string, prefix: string, contents: FolderContents): Promise<void> {
  const { entries } = contents;
  let names: string[];
  try {
    names = await readdir(join(dir, prefix));
  } catch (error) {
    throw fileError(join(dir, prefix), 'folder', error);
  }
  for (const name of names) {
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
      let data: Buffer;
      try {
        data = await readFile(path);
      } catch (error) {
        throw fileError(path, 'file', error);
      }
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
