import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../../src/core/archive/archive-entry.js';
import { buildTgz } from '../../../src/core/archive/build-tgz.js';
import { extractTgz } from '../../../src/core/archive/extract-tgz.js';
import { MAX_META_BYTES, readNumber, readTar } from '../../../src/core/archive/read-tar.js';
import { HpvsError } from '../../../src/core/errors.js';
import { rejectedHpvsError } from '../../helpers/expect-error.js';
import {
  END_OF_ARCHIVE,
  base256,
  paxHeader,
  paxRecord,
  sealHeader,
  tarData,
  tarHeader,
  tarMember,
} from '../../helpers/tar-blocks.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-read-tar-');
const NO_TAR = !hasTool('tar');
const FORMATS = ['v7', 'ustar', 'gnu', 'pax'] as const;
type Format = (typeof FORMATS)[number];

/** A folder's files and folders as extractTgz would give them, sorted by path. */
function walk(root: string, prefix = ''): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const stat = statSync(join(root, path));
    if (stat.isDirectory()) entries.push({ type: 'directory', path }, ...walk(root, path));
    else {
      const data = readFileSync(join(root, path));
      entries.push({ type: 'file', path, data, executable: (stat.mode & 0o111) !== 0 });
    }
  }
  return entries;
}

const byPath = (a: ArchiveEntry, b: ArchiveEntry) =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
const comparable = (entries: ArchiveEntry[]) =>
  [...entries]
    .map((entry) => (entry.type === 'file' ? { ...entry, data: Buffer.from(entry.data) } : entry))
    .sort(byPath);

/** GNU tar's archive of the folder's contents, names relative to it, in sorted order. */
function gnuTar(folder: string, format: Format, extra: string[] = []): Buffer {
  const result = runTool('tar', [
    `--format=${format}`,
    '--sort=name',
    ...extra,
    '-c',
    '-C',
    folder,
    '--',
    ...readdirSync(folder).sort(),
  ]);
  expect(result.stderr, `tar --format=${format}`).toBe('');
  return result.stdout;
}

function write(root: string, path: string, data: string | Buffer, mode = 0o644): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), data);
  chmodSync(join(root, path), mode);
}

/** What every format can hold: short names, empty files and folders, 0, 512 and 513 bytes. */
function plainTree(root: string): void {
  write(root, 'docker-compose.yml', 'services: {}\n');
  write(root, 'empty', '');
  write(root, 'run.sh', '#!/bin/sh\necho hi\n', 0o755);
  write(root, 'blocks/exactly-512', Buffer.alloc(512, 0x61));
  write(root, 'blocks/513', Buffer.alloc(513, 0x62));
  write(
    root,
    'blocks/big.bin',
    Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251)),
  );
  mkdirSync(join(root, 'empty-folder/inner'), { recursive: true });
  write(root, 'ünïcode/naïve.txt', 'é');
}

/** Paths past the 100-byte name field (ustar: split into prefix) and past 255 (gnu and pax). */
function longTree(root: string, over255: boolean): void {
  const a = `a${'x'.repeat(60)}`;
  const b = `b${'y'.repeat(60)}`;
  write(root, `${a}/${b}/${'c'.repeat(70)}.txt`, 'prefix and name');
  write(root, `${'n'.repeat(99)}`, '99');
  if (over255) {
    write(root, `${a}/${b}/${'d'.repeat(200)}`, 'a long last segment', 0o755);
    const deep = Array.from({ length: 40 }, (_, i) => `level-${i}`).join('/');
    write(root, `${deep}/leaf`, 'deep');
  }
}

describe.skipIf(NO_TAR)('readTar against GNU tar (skipped without tar)', () => {
  it.each(FORMATS)('reads --format=%s: the same members, bytes and modes', async (format) => {
    const root = join(tempDir(), `tree-${format}`);
    plainTree(root);
    if (format !== 'v7') longTree(root, format === 'gnu' || format === 'pax');
    const tar = gnuTar(root, format);
    const extracted = await extractTgz(gzipSync(tar));
    expect(comparable(extracted)).toEqual(comparable(walk(root)));
    // archive order is GNU tar's own listing order
    const listed = runTool('tar', ['-t', '--quoting-style=literal'], tar)
      .stdout.toString('utf8')
      .trim()
      .split('\n');
    expect(extracted.map((entry) => entry.path)).toEqual(
      listed.map((name) => name.replace(/\/$/, '')),
    );
  });

  it('reads the longest names each format holds in its own way', () => {
    const root = join(tempDir(), 'long');
    longTree(root, true);
    const names = (format: Format) =>
      [...readTar(gnuTar(root, format))].map((member) => member.name);
    expect(names('gnu')).toEqual(names('pax'));
    expect(Math.max(...names('gnu').map((name) => name.length))).toBeGreaterThan(255);
    // GNU tar wrote a ././@LongLink member and a pax path record for them
    expect(gnuTar(root, 'gnu').includes('././@LongLink')).toBe(true);
    expect(gnuTar(root, 'pax').includes(' path=')).toBe(true);
  });

  it('reads an archive without its end blocks, or with only one', () => {
    const root = join(tempDir(), 'no-end');
    plainTree(root);
    const tar = gnuTar(root, 'gnu');
    const members = [...readTar(tar)];
    let end = tar.length;
    while (tar[end - 1] === 0) end--;
    const bare = tar.subarray(0, Math.ceil(end / 512) * 512);
    expect([...readTar(bare)]).toEqual(members);
    expect([...readTar(Buffer.concat([bare, Buffer.alloc(512)]))]).toEqual(members);
  });

  it('refuses links, hard links and sparse files GNU tar wrote', async () => {
    const root = join(tempDir(), 'kinds');
    write(root, 'a', 'a');
    linkSync(join(root, 'a'), join(root, 'b'));
    const links = await rejectedHpvsError(extractTgz(gzipSync(gnuTar(root, 'pax'))));
    expect([links.code, links.message]).toEqual([
      'ARCHIVE_REFUSED',
      expect.stringMatching(/"b" is a hard link/),
    ]);
    const sym = join(tempDir(), 'sym');
    mkdirSync(sym);
    symlinkSync('/etc/passwd', join(sym, 'passwd'));
    expect((await rejectedHpvsError(extractTgz(gzipSync(gnuTar(sym, 'ustar'))))).message).toMatch(
      /"passwd" is a symbolic link/,
    );
    const sparse = join(tempDir(), 'sparse');
    mkdirSync(sparse);
    writeFileSync(join(sparse, 'holes'), '');
    runTool('truncate', ['-s', '4M', join(sparse, 'holes')]);
    for (const format of ['gnu', 'pax'] as const) {
      const tar = gnuTar(sparse, format, ['--sparse']);
      const error = await rejectedHpvsError(extractTgz(gzipSync(tar)));
      expect(error.message, format).toMatch(/"(\.\/GNUSparseFile\.\d+\/)?holes" is a sparse file/);
    }
  });

  it.skipIf(!hasTool('git'))(
    'reads git archive output: its pax global header only comments',
    async () => {
      const repo = join(tempDir(), 'repo');
      write(repo, 'docker-compose.yml', 'services: {}\n');
      const git = (...args: string[]) =>
        runTool('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'x');
      const tar = git('archive', '--format=tar', 'HEAD').stdout;
      expect(tar.subarray(0, 100).toString('latin1')).toContain('pax_global_header');
      expect((await extractTgz(gzipSync(tar))).map((entry) => entry.path)).toEqual([
        'docker-compose.yml',
      ]);
    },
  );

  it('agrees with GNU tar on a base-256 size and on a signed checksum', () => {
    const tar = Buffer.concat([
      tarHeader({ name: 'b256', sizeField: base256(5n), format: 'gnu' }),
      tarData('hello'),
      tarMember({ name: 'signed-é', signedChecksum: true }, 'signed'),
      END_OF_ARCHIVE,
    ]);
    const gnu = runTool('tar', ['-xO'], tar);
    expect(gnu.stderr).toBe('');
    expect(gnu.stdout.toString()).toBe('hellosigned');
    const members = [...readTar(tar)];
    expect(members.map((member) => [member.name, Buffer.from(member.data).toString()])).toEqual([
      ['b256', 'hello'],
      ['signed-é', 'signed'],
    ]);
  });

  it('GNU tar reads what buildTgz packs the same way readTar does', async () => {
    const root = join(tempDir(), 'packed');
    plainTree(root);
    longTree(root, true);
    const packed = await buildTgz(walk(root));
    const listed = runTool('tar', ['-tz', '--quoting-style=literal'], packed)
      .stdout.toString('utf8')
      .trim()
      .split('\n');
    const extracted = await extractTgz(packed);
    expect(extracted.map((entry) => entry.path)).toEqual(
      listed.map((name) => name.replace(/\/$/, '')),
    );
    expect(comparable(extracted)).toEqual(comparable(walk(root)));
  });

  it('random folder trees read back the same from GNU tar (every format) and from buildTgz', async () => {
    const segment = fc.stringMatching(/^[a-zé0-9_-]{1,40}$/);
    const tree = fc.uniqueArray(
      fc.record({
        path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
        size: fc.oneof(fc.constantFrom(0, 1, 511, 512, 513, 1024), fc.nat(3000)),
        executable: fc.boolean(),
      }),
      { selector: (entry) => entry.path, minLength: 1, maxLength: 8 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (files) => {
        const root = join(tempDir(), `random-${++run}`);
        mkdirSync(root);
        const paths = new Set(files.map((entry) => entry.path));
        for (const { path, size, executable } of files) {
          if ([...paths].some((other) => other.startsWith(`${path}/`))) continue;
          const data = Buffer.alloc(size, path.length % 256);
          write(root, path, data, executable ? 0o755 : 0o644);
        }
        const expected = comparable(walk(root));
        const fits = (format: Format) =>
          format === 'gnu' ||
          format === 'pax' ||
          expected.every((entry) => Buffer.byteLength(entry.path) < (format === 'v7' ? 99 : 100));
        for (const format of FORMATS.filter(fits)) {
          expect(comparable(await extractTgz(gzipSync(gnuTar(root, format)))), format).toEqual(
            expected,
          );
        }
        expect(comparable(await extractTgz(await buildTgz(expected)))).toEqual(expected);
      }),
      { numRuns: 12, seed: 20261202 },
    );
  });
});

describe('readTar refuses what a hand-written reader must check', () => {
  const file = tarMember({ name: 'a.txt' }, 'abc');
  /** The HpvsError readTar throws for these bytes. */
  function refusal(tar: Uint8Array): HpvsError {
    try {
      [...readTar(tar, 'compose.archive')];
    } catch (error) {
      if (error instanceof HpvsError) return error;
      throw error;
    }
    throw new Error('readTar accepted the archive');
  }
  const invalid = (tar: Uint8Array, why: RegExp) => {
    const error = refusal(tar);
    expect(error.code).toBe('ARCHIVE_INVALID');
    expect(error.message).toMatch(/^compose\.archive: not a valid tar archive \(/);
    expect(error.message).toMatch(why);
  };

  it('reads the hand-made member it starts from', () => {
    const [member] = [...readTar(Buffer.concat([file, END_OF_ARCHIVE]))];
    expect(member).toMatchObject({ name: 'a.txt', type: 'file', typeflag: '0', mode: 0o644 });
    expect(Buffer.from(member!.data).toString()).toBe('abc');
  });

  it('a truncated header', () => {
    invalid(
      Buffer.concat([file, tarHeader({ name: 'b' }).subarray(0, 300)]),
      /ends inside the header at byte 1024/,
    );
  });

  it('a checksum off by one, either way', () => {
    for (const delta of [1, -1]) {
      invalid(
        tarMember({ name: 'a', checksumDelta: delta }, 'x'),
        /header at byte 0 has checksum \d+ but its bytes sum to \d+/,
      );
    }
  });

  it('a size that runs past the end of the data, or into the missing padding', () => {
    invalid(
      tarHeader({ name: 'big', size: 10_000 }),
      /"big" has 10000 bytes of data but the archive ends/,
    );
    invalid(
      Buffer.concat([tarHeader({ name: 'cut', size: 3 }), Buffer.from('abc')]),
      /"cut" has 3 bytes/,
    );
  });

  it('a base-256 size that is negative, and malformed numbers', () => {
    invalid(
      tarMember({ name: 'neg', sizeField: base256(-1n) }),
      /header at byte 0 has a negative size/,
    );
    invalid(
      tarMember({ name: 'neg', sizeField: Buffer.from('00000000x12\0') }),
      /malformed size field/,
    );
    invalid(tarMember({ name: 'neg', sizeField: base256(2n ** 80n) }), /malformed size field/);
  });

  it('pax records whose length field lies', () => {
    const member = tarMember({ name: 'a' }, 'x');
    const lie = (records: string) =>
      invalid(
        Buffer.concat([paxHeader(Buffer.from(records)), member]),
        /pax record at byte 512 has a wrong length/,
      );
    lie('30 path=evil\n');
    lie('11 path=evil\n');
    lie('99999999999999999999 path=evil\n');
    lie('path=evil\n');
    invalid(Buffer.concat([paxHeader(Buffer.from('12 pathevil\n')), member]), /no keyword=value/);
    invalid(
      Buffer.concat([paxHeader(Buffer.concat([paxRecord('size', '-5')])), member]),
      /pax size "-5" is not a number/,
    );
  });

  it('pax headers and long names larger than the bound, before reading them', () => {
    const error = refusal(
      tarHeader({ name: 'PaxHeaders/x', typeflag: 'x', size: MAX_META_BYTES + 1 }),
    );
    expect(error.code).toBe('ARCHIVE_REFUSED');
    expect(error.message).toMatch(/pax header at byte 0 holds 1048577 bytes, more than 1048576/);
    const long = refusal(
      tarHeader({ name: '././@LongLink', typeflag: 'L', size: MAX_META_BYTES + 1, format: 'gnu' }),
    );
    expect(long.message).toMatch(/GNU long name header/);
  });

  it('an extended header followed by no member', () => {
    invalid(
      Buffer.concat([paxHeader(paxRecord('path', 'x')), END_OF_ARCHIVE]),
      /extended header at byte 0 is followed by no member/,
    );
  });

  it('data after the end-of-archive block, which some readers would read on', () => {
    invalid(
      Buffer.concat([file, Buffer.alloc(512), file]),
      /data at byte 1536 follows the end-of-archive block/,
    );
  });

  it('a directory or link header with data after it', () => {
    invalid(
      tarMember({ name: 'd/', typeflag: '5' }, 'x'),
      /"d\/" is a directory header with 1 bytes/,
    );
  });

  it('an unknown header format', () => {
    const header = tarHeader({ name: 'a' });
    header.write('wstar', 257, 'latin1');
    sealHeader(header);
    invalid(Buffer.concat([header, END_OF_ARCHIVE]), /no tar format this reader knows/);
  });

  it('a pax global header that renames or resizes the members after it, but not one that only comments', () => {
    const global = refusal(
      Buffer.concat([
        paxHeader(Buffer.concat([paxRecord('path', 'x'), paxRecord('size', '1')]), 'g'),
        file,
      ]),
    );
    expect(global.code).toBe('ARCHIVE_REFUSED');
    expect(global.message).toMatch(
      /pax global header at byte 0 sets "path", "size" for every member/,
    );
    const comment = Buffer.concat([
      paxHeader(paxRecord('comment', 'abc'), 'g'),
      file,
      END_OF_ARCHIVE,
    ]);
    expect([...readTar(comment)].map((member) => member.name)).toEqual(['a.txt']);
  });

  it('a name that is not UTF-8, and a NUL in a pax path (refused by the extraction rules)', async () => {
    const latin1 = refusal(
      Buffer.concat([tarMember({ name: Buffer.from([0x63, 0xe9]) }, 'x'), END_OF_ARCHIVE]),
    );
    expect([latin1.code, latin1.message]).toEqual([
      'ARCHIVE_REFUSED',
      'compose.archive: member "c\uFFFD" has a name that is not UTF-8',
    ]);
    const nul = Buffer.concat([
      paxHeader(paxRecord('path', 'a\0b')),
      tarMember({ name: 'a' }, 'x'),
      END_OF_ARCHIVE,
    ]);
    expect([...readTar(nul)][0]!.name).toBe('a\0b');
    const error = await rejectedHpvsError(extractTgz(gzipSync(nul)));
    expect([error.code, error.message]).toEqual([
      'ARCHIVE_REFUSED',
      'archive: member "a?b" has a NUL byte in its name',
    ]);
  });
});

describe('readTar applies what the headers before a member say', () => {
  it('pax path, linkpath and size over the header; an empty pax value keeps the header', () => {
    const tar = Buffer.concat([
      paxHeader(
        Buffer.concat([
          paxRecord('path', 'from-pax/ü.txt'),
          paxRecord('size', '4'),
          paxRecord('mtime', '1.5'),
        ]),
      ),
      tarHeader({ name: 'short', size: 999 }),
      tarData('data'),
      paxHeader(Buffer.concat([paxRecord('path', ''), paxRecord('linkpath', 'target')])),
      tarMember({ name: 'header-name', typeflag: '2', linkname: 'ignored' }),
      END_OF_ARCHIVE,
    ]);
    const members = [...readTar(tar)];
    expect(members.map(({ name, type, linkname }) => ({ name, type, linkname }))).toEqual([
      { name: 'from-pax/ü.txt', type: 'file', linkname: '' },
      { name: 'header-name', type: 'symlink', linkname: 'target' },
    ]);
    expect(Buffer.from(members[0]!.data).toString()).toBe('data');
  });

  it('GNU long names (L) and links (K), a pax path winning over a long name', () => {
    const tar = Buffer.concat([
      tarMember({ name: '././@LongLink', typeflag: 'L', format: 'gnu' }, `${'l'.repeat(300)}\0`),
      tarMember({ name: 'truncated', format: 'gnu' }, 'x'),
      tarMember({ name: '././@LongLink', typeflag: 'L', format: 'gnu' }, 'long\0'),
      paxHeader(paxRecord('path', 'pax')),
      tarMember({ name: 'y', format: 'gnu' }, 'y'),
      tarMember({ name: '././@LongLink', typeflag: 'K', format: 'gnu' }, `${'k'.repeat(200)}\0`),
      tarMember({ name: 'link', typeflag: '1', format: 'gnu' }),
    ]);
    expect([...readTar(tar)].map(({ name, linkname }) => [name, linkname])).toEqual([
      ['l'.repeat(300), ''],
      ['pax', ''],
      ['link', 'k'.repeat(200)],
    ]);
  });

  it("the ustar prefix (also in star's layout), and a v7 directory named with a slash", () => {
    const star = tarHeader({ name: 'name', prefix: 'pre/fix' });
    star.write('tar\0', 508, 'latin1');
    star.write('garbage-times', 476, 'latin1');
    sealHeader(star);
    const tar = Buffer.concat([
      tarMember({ name: 'name', prefix: 'pre/fix' }),
      star,
      tarMember({ name: 'old-dir/', typeflag: '', format: 'v7', mode: 0o755 }),
      tarMember({ name: 'old-dir/file', typeflag: '', format: 'v7', mode: 0o700 }, 'v7'),
    ]);
    expect([...readTar(tar)].map(({ name, type, mode }) => [name, type, mode])).toEqual([
      ['pre/fix/name', 'file', 0o644],
      ['pre/fix/name', 'file', 0o644],
      ['old-dir/', 'directory', 0o755],
      ['old-dir/file', 'file', 0o700],
    ]);
  });
});

describe('readNumber', () => {
  it('reads octal with spaces and NULs, blanks as 0, and base-256 both signs', () => {
    const field = (text: string) => Buffer.from(text, 'latin1');
    expect(readNumber(field('0000644\0'))).toBe(0o644);
    expect(readNumber(field('  644 \0\0'))).toBe(0o644);
    expect(readNumber(field('77777777777\0'))).toBe(8 ** 11 - 1);
    expect(readNumber(field('777777777777'))).toBe(8 ** 12 - 1);
    expect(readNumber(field('\0\0\0\0\0\0\0\0'))).toBe(0);
    expect(readNumber(field('12 3\0'))).toBeUndefined();
    expect(readNumber(field('0009\0'))).toBeUndefined();
    expect(readNumber(base256(8n * 2n ** 30n))).toBe(8 * 2 ** 30);
    expect(readNumber(base256(-1n))).toBe(-1);
    expect(readNumber(base256(-300n))).toBe(-300);
    expect(readNumber(Buffer.from([0x81, 0, 0, 1]))).toBeUndefined();
  });
});
