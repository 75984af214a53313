import type { Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HpvsError } from '../core/errors.js';
import { writeFileAtomic } from '../node/write-output.js';

/**
 * The instance folder is the emulated runtime's file system root (`var/log`, `var/hyperprotect`,
 * `workload/`). The emulator deletes only what it created itself: it takes a folder that is
 * missing or empty, or one it marked on an earlier boot. The mark lists what the container
 * runtime left below `workload/`, and those entries are all a later boot removes; anything
 * else found there stops the boot before it starts.
 */
export const INSTANCE_MARKER = '.hpcr-emulator-instance.json';
const MARKER_FORMAT = 1;
// a workload is bounded by the archive limits; a marker larger than this is not ours
const MAX_MARKER_BYTES = 16 * 1024 * 1024;
const WORKLOAD = 'workload';

export type InstanceFolderUse = 'created' | 'taken' | 'reused';

interface MarkedEntry {
  /** Relative to the instance folder, `/`-separated: `workload/compose/docker-compose.yaml`. */
  path: string;
  directory: boolean;
}

interface InstanceMarker {
  format: number;
  workload: MarkedEntry[];
}

/**
 * Makes `dir` ready for a boot: creates it when missing, marks it when empty, and in a folder
 * marked by an earlier boot removes the workload files that boot left. Refuses anything else.
 */
export async function openInstanceFolder(dir: string): Promise<InstanceFolderUse> {
  const kind = await folderKind(dir);
  if (kind === 'missing') {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw outputError(dir, 'cannot create the instance folder', error);
    }
    await writeMarker(dir, []);
    return 'created';
  }
  if (kind !== 'folder') {
    throw new HpvsError(
      'OUTPUT_FAILED',
      `${dir}: ${kind === 'file' ? 'is a file' : 'a part of the path is a file'}, not a folder; give a folder for the emulator instance`,
    );
  }
  const names = await listFolder(dir);
  if (names.length === 0) {
    await writeMarker(dir, []);
    return 'taken';
  }
  if (!names.includes(INSTANCE_MARKER)) {
    throw new HpvsError(
      'OUTPUT_FAILED',
      `${dir}: holds files the emulator did not create (${sample(names)}); give a new or empty folder for the emulator instance`,
    );
  }
  const marker = await readMarker(dir);
  await removeMarkedWorkload(dir, marker.workload);
  return 'reused';
}

/** What the boot says about the folder it writes to. */
export function describeInstanceFolderUse(dir: string, use: InstanceFolderUse): string {
  switch (use) {
    case 'created':
      return `instance folder ${dir} created`;
    case 'taken':
      return `instance folder ${dir} was empty and is used for this instance`;
    case 'reused':
      return `instance folder ${dir} reused: the files of its previous boot are replaced`;
  }
}

/** Marks the folder with what the container runtime left in `workload/`, for the next boot. */
export async function recordInstanceFolder(dir: string): Promise<void> {
  const entries: MarkedEntry[] = [];
  const root = join(dir, WORKLOAD);
  const info = await lstat(root).catch(() => undefined);
  if (info?.isDirectory()) {
    entries.push({ path: WORKLOAD, directory: true });
    await walk(root, WORKLOAD, (entry) => entries.push(entry));
  }
  await writeMarker(dir, entries);
}

async function folderKind(dir: string): Promise<'missing' | 'folder' | 'file' | 'under-file'> {
  try {
    return (await stat(dir)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'under-file';
    throw outputError(dir, 'cannot read the instance folder', error);
  }
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    throw outputError(dir, 'cannot read the instance folder', error);
  }
}

/**
 * Walks the real tree only: a link is an entry of its own, never followed, so a link planted
 * in place of a folder cannot lead a removal outside the instance.
 */
async function walk(
  absolute: string,
  relative: string,
  visit: (entry: MarkedEntry) => void,
): Promise<void> {
  let children: Dirent[];
  try {
    children = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    throw outputError(absolute, 'cannot read the workload folder', error);
  }
  for (const child of children) {
    const path = `${relative}/${child.name}`;
    visit({ path, directory: child.isDirectory() });
    if (child.isDirectory()) await walk(join(absolute, child.name), path, visit);
  }
}

async function removeMarkedWorkload(dir: string, marked: MarkedEntry[]): Promise<void> {
  const root = join(dir, WORKLOAD);
  const info = await lstat(root).catch(() => undefined);
  if (info === undefined) return;
  const isMarked = new Map(marked.map((entry) => [entry.path, entry.directory]));
  if (!info.isDirectory() || isMarked.get(WORKLOAD) !== true) {
    throw new HpvsError(
      'OUTPUT_FAILED',
      `${root}: the emulator did not create it; move it away before booting into ${dir}`,
    );
  }
  const found: MarkedEntry[] = [];
  await walk(root, WORKLOAD, (entry) => found.push(entry));
  // checked before anything is removed, so a refused boot leaves the folder as it was
  const foreign = found.filter((entry) => isMarked.get(entry.path) !== entry.directory);
  if (foreign.length > 0) {
    throw new HpvsError(
      'OUTPUT_FAILED',
      `${root}: holds files the emulator did not create (${sample(foreign.map((entry) => entry.path.slice(WORKLOAD.length + 1)))}); move them away before booting into ${dir}`,
    );
  }
  // deepest first, so a folder is empty by the time its turn comes
  found.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const entry of [...found, { path: WORKLOAD, directory: true }]) {
    const path = join(dir, entry.path);
    try {
      await (entry.directory ? rmdir(path) : unlink(path));
    } catch (error) {
      throw outputError(path, "cannot remove the previous boot's file", error);
    }
  }
}

async function writeMarker(dir: string, workload: MarkedEntry[]): Promise<void> {
  const marker: InstanceMarker = { format: MARKER_FORMAT, workload };
  await writeFileAtomic(join(dir, INSTANCE_MARKER), `${JSON.stringify(marker)}\n`, {
    secret: false,
  });
}

async function readMarker(dir: string): Promise<InstanceMarker> {
  const path = join(dir, INSTANCE_MARKER);
  const unusable = (why: string, cause?: unknown) =>
    new HpvsError(
      'OUTPUT_FAILED',
      `${path}: ${why}; remove the instance folder or give another one`,
      cause === undefined ? {} : { cause },
    );
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_MARKER_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_MARKER_BYTES) throw unusable('too large for an instance marker');
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof HpvsError) throw error;
    throw unusable(`cannot read the instance marker (${errorCode(error)})`, error);
  }
  let marker: unknown;
  try {
    marker = JSON.parse(text);
  } catch (error) {
    throw unusable('not a valid instance marker (invalid JSON)', error);
  }
  if (!isMarker(marker)) throw unusable('not a valid instance marker');
  return marker;
}

function isMarker(value: unknown): value is InstanceMarker {
  if (value === null || typeof value !== 'object') return false;
  const { format, workload } = value as Partial<InstanceMarker>;
  return (
    format === MARKER_FORMAT &&
    Array.isArray(workload) &&
    workload.every(
      (entry: unknown) =>
        entry !== null &&
        typeof entry === 'object' &&
        typeof (entry as MarkedEntry).path === 'string' &&
        typeof (entry as MarkedEntry).directory === 'boolean',
    )
  );
}

function sample(names: string[]): string {
  // file names are anybody's bytes: no control character reaches the terminal
  const shown = names
    .slice(0, 3)
    .map((name) => name.replace(/[\x00-\x1f\x7f-\x9f]/g, '?'))
    .join(', ');
  return names.length > 3 ? `${shown}, ...` : shown;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

function outputError(path: string, what: string, error: unknown): HpvsError {
  return new HpvsError('OUTPUT_FAILED', `${path}: ${what} (${errorCode(error)})`, {
    cause: error,
  });
}
