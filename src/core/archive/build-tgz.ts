import { crc32, deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { HpvsError } from '../errors.js';
import { assertSafeMemberPath, compareMemberPaths, type ArchiveEntry } from './archive-entry.js';

const EPOCH = new Date(0);
const DIRECTORY_MODE = 0o755;
const EXECUTABLE_MODE = 0o755;
const FILE_MODE = 0o644;

/**
 * A gzip member header with no name, mtime 0, "maximum compression" and OS 255 (unknown), so
 * the bytes do not depend on the machine or the time (zlib's own header records the OS).
 */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff]);

/**
 * Builds a gzip'd tar of the entries. The same entries give the same bytes whatever their
 * order: members are sorted by name, and every header field that could vary between machines
 * (mtime, uid/gid, user and group names, permissions beyond the executable bit) is fixed.
 */
export async function buildTgz(entries: readonly ArchiveEntry[]): Promise<Buffer> {
  const tar = await buildTar(entries);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(tar), 0);
  trailer.writeUInt32LE(tar.length % 2 ** 32, 4);
  return Buffer.concat([
    GZIP_HEADER,
    deflateRawSync(tar, { level: zlibConstants.Z_BEST_COMPRESSION }),
    trailer,
  ]);
}

async function buildTar(entries: readonly ArchiveEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => compareMemberPaths(a.path, b.path));
  const seen = new Set<string>();
  for (const entry of sorted) {
    assertSafeMemberPath(entry.path, 'archive');
    if (seen.has(entry.path)) {
      throw new HpvsError('ARCHIVE_REFUSED', `archive: member "${entry.path}" appears twice`);
    }
    seen.add(entry.path);
  }
  const packer = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of packer) chunks.push(chunk as Buffer);
  })();
  for (const entry of sorted) {
    const header: Partial<Header> & { name: string } = {
      name: entry.type === 'directory' ? `${entry.path}/` : entry.path,
      type: entry.type,
      mode:
        entry.type === 'directory'
          ? DIRECTORY_MODE
          : entry.executable
            ? EXECUTABLE_MODE
            : FILE_MODE,
      mtime: EPOCH,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    };
    if (entry.type === 'file') packer.entry(header, Buffer.from(entry.data));
    else packer.entry(header);
  }
  packer.finalize();
  await collected;
  return Buffer.concat(chunks);
}
