import { gunzipSync } from 'node:zlib';
import { HpvsError } from '../errors.js';
import { assertSafeMemberPath, type ArchiveEntry } from './archive-entry.js';
import { readTar, type TarMember } from './read-tar.js';

export interface ExtractOptions {
  /** Names the archive in messages: "workload compose.archive". */
  source?: string;
  /** Refuse archives that unpack to more than this many bytes (a gzip bomb guard). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

const MEMBER_KINDS: Partial<Record<TarMember['type'], string>> = {
  symlink: 'symbolic link',
  link: 'hard link',
  fifo: 'fifo',
  'character-device': 'character device',
  'block-device': 'block device',
  'sparse-file': 'sparse file',
};

/**
 * Unpacks a gzip'd tar in memory, accepting only what the runtime accepts: directories and
 * regular files at relative paths inside the folder. Links, fifos and devices, absolute paths,
 * `..` segments and duplicate names are refused, so writing the result cannot touch anything
 * outside the target folder. Members come back in archive order; a leading `./` is dropped.
 * The work is synchronous (`readTar` over the unpacked bytes); the Promise is kept for callers.
 */
export async function extractTgz(
  bytes: Uint8Array,
  options: ExtractOptions = {},
): Promise<ArchiveEntry[]> {
  const source = options.source ?? 'archive';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const tar = gunzip(bytes, source, maxBytes);
  const entries: ArchiveEntry[] = [];
  const placed: Placement = { explicit: new Set(), kinds: new Map() };
  for (const member of readTar(tar, source)) {
    const entry = toEntry(member, source);
    if (entry === undefined) continue;
    checkPlacement(entry, placed, source);
    entries.push(entry);
  }
  return entries;
}

function gunzip(bytes: Uint8Array, source: string, maxBytes: number): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new HpvsError('ARCHIVE_INVALID', `${source}: not a gzip'd tar archive`);
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new HpvsError(
      tooLarge ? 'ARCHIVE_REFUSED' : 'ARCHIVE_INVALID',
      tooLarge
        ? `${source}: unpacks to more than ${maxBytes} bytes`
        : `${source}: the gzip data is corrupted (${reason(error)})`,
      { cause: error },
    );
  }
}

function toEntry(member: TarMember, source: string): ArchiveEntry | undefined {
  const path = member.name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (member.type === 'directory') {
    if (path === '' || path === '.') return undefined;
    assertSafeMemberPath(path, source);
    return { type: 'directory', path };
  }
  if (member.type === 'file') {
    assertSafeMemberPath(path, source);
    const { data } = member;
    return {
      type: 'file',
      path,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      executable: (member.mode & 0o111) !== 0,
    };
  }
  const kind = MEMBER_KINDS[member.type] ?? `type "${member.typeflag}" entry`;
  throw new HpvsError(
    'ARCHIVE_REFUSED',
    `${source}: member "${member.name}" is a ${kind}; only regular files and directories are allowed`,
  );
}

/**
 * Refuses a second member with the same name, a member below a file, and a file where an
 * earlier member implied a directory, any of which would make writing the folder ambiguous.
 */
function checkPlacement(entry: ArchiveEntry, placed: Placement, source: string): void {
  const refuse = (why: string): never => {
    throw new HpvsError('ARCHIVE_REFUSED', `${source}: member "${entry.path}" ${why}`);
  };
  if (placed.explicit.has(entry.path)) refuse('appears twice');
  if (entry.type === 'file' && placed.kinds.get(entry.path) === 'directory') {
    refuse('is a file but earlier members use it as a directory');
  }
  const segments = entry.path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const parent = segments.slice(0, i).join('/');
    if (placed.kinds.get(parent) === 'file') refuse(`lies below "${parent}", which is a file`);
    placed.kinds.set(parent, 'directory');
  }
  placed.explicit.add(entry.path);
  placed.kinds.set(entry.path, entry.type);
}

interface Placement {
  explicit: Set<string>;
  kinds: Map<string, ArchiveEntry['type']>;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
