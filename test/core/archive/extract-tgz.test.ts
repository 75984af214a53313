import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../../src/core/archive/archive-entry.js';
import { buildTgz } from '../../../src/core/archive/build-tgz.js';
import { extractTgz } from '../../../src/core/archive/extract-tgz.js';
import { rejectedHpvsError } from '../../helpers/expect-error.js';
import { writeArchiveEntries } from '../../../src/node/write-folder.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-extract-');

type Member = Partial<Header> & { name: string; body?: string };

/** A hand-made tgz, so the tests can hold what buildTgz would never write. */
async function rawTgz(members: Member[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of packer) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of members) {
    if (body === undefined) packer.entry(header);
    else packer.entry(header, body);
  }
  packer.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

const file = (path: string, text: string, executable = false): ArchiveEntry => ({
  type: 'file',
  path,
  data: Buffer.from(text),
  executable,
});

/** Buffers and Uint8Arrays with the same bytes compare equal after this. */
function comparable(entry: ArchiveEntry): ArchiveEntry {
  return entry.type === 'file' ? { ...entry, data: Buffer.from(entry.data) } : entry;
}

describe('extractTgz', () => {
  it('gives back what buildTgz packed, in sorted order', async () => {
    const entries: ArchiveEntry[] = [
      file('b.txt', 'b'),
      { type: 'directory', path: 'dir' },
      file('dir/run.sh', '#!/bin/sh\n', true),
      file('a.yaml', 'a: 1\n'),
    ];
    const extracted = await extractTgz(await buildTgz(entries));
    expect(extracted.map((entry) => entry.path)).toEqual(['a.yaml', 'b.txt', 'dir', 'dir/run.sh']);
    expect(extracted[3]).toEqual(file('dir/run.sh', '#!/bin/sh\n', true));
    expect(extracted[0]).toEqual(file('a.yaml', 'a: 1\n'));
  });

  it('round-trips any set of files and folders, and packing is order-independent', async () => {
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
    const tree = fc.uniqueArray(
      fc.record({
        path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
        data: fc.uint8Array({ maxLength: 700 }),
        executable: fc.boolean(),
      }),
      { selector: (entry) => entry.path, maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(tree, async (files) => {
        // Keep only files whose names are not also used as folders by other files.
        const paths = new Set(files.map((entry) => entry.path));
        const kept = files.filter(
          (entry) => ![...paths].some((other) => other.startsWith(`${entry.path}/`)),
        );
        const entries: ArchiveEntry[] = kept.map((entry) => ({ type: 'file', ...entry }));
        const packed = await buildTgz(entries);
        expect((await buildTgz([...entries].reverse())).equals(packed)).toBe(true);
        const extracted = await extractTgz(packed);
        const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
        expect(extracted.map(comparable)).toEqual(sorted.map(comparable));
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });

  it.skipIf(!hasTool('tar'))('reads an archive made by the tar program with ./ names', async () => {
    const dir = join(tempDir(), 'made-by-tar');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(join(dir, 'sub', 'x'), 'x');
    const tgz = runTool('tar', ['-cz', '-C', dir, '.']).stdout;
    const extracted = await extractTgz(tgz);
    expect(extracted.map((entry) => entry.path).sort()).toEqual([
      'docker-compose.yml',
      'sub',
      'sub/x',
    ]);
  });

  describe('refuses members that could escape or are not plain files', () => {
    const cases: Array<[string, Member[], RegExp]> = [
      [
        'a symbolic link',
        [{ name: 'evil', type: 'symlink', linkname: '/etc/passwd' }],
        /"evil" is a symbolic link/,
      ],
      [
        'a hard link',
        [
          { name: 'a', body: 'x' },
          { name: 'b', type: 'link', linkname: 'a' },
        ],
        /"b" is a hard link/,
      ],
      ['a fifo', [{ name: 'pipe', type: 'fifo' }], /"pipe" is a fifo/],
      [
        'a character device',
        [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }],
        /"null" is a character device/,
      ],
      [
        'a block device',
        [{ name: 'sda', type: 'block-device', devmajor: 8 }],
        /"sda" is a block device/,
      ],
      [
        'an absolute path',
        [{ name: '/etc/cron.d/x', body: 'x' }],
        /"\/etc\/cron\.d\/x" has an absolute path/,
      ],
      ['a ".." path', [{ name: 'a/../../x', body: 'x' }], /"a\/\.\.\/\.\.\/x" climbs out/],
      ['a bare ".."', [{ name: '..', type: 'directory' }], /climbs out/],
      [
        'a duplicate name',
        [
          { name: 'a', body: '1' },
          { name: 'a', body: '2' },
        ],
        /"a" appears twice/,
      ],
      [
        'a member below a file',
        [
          { name: 'a', body: '1' },
          { name: 'a/b', body: '2' },
        ],
        /"a\/b" lies below "a", which is a file/,
      ],
      [
        'a file where a folder was implied',
        [
          { name: 'a/b', body: '1' },
          { name: 'a', body: '2' },
        ],
        /"a" is a file but earlier members use it as a directory/,
      ],
    ];
    it.each(cases)('refuses %s', async (_, members, message) => {
      const error = await rejectedHpvsError(
        extractTgz(await rawTgz(members), { source: 'compose.archive' }),
      );
      expect(error.code).toBe('ARCHIVE_REFUSED');
      expect(error.message).toMatch(/^compose\.archive: /);
      expect(error.message).toMatch(message);
    });
  });

  it('refuses data that is not a gzip, corrupted gzip, and corrupted tar', async () => {
    expect((await rejectedHpvsError(extractTgz(Buffer.from('plain text')))).code).toBe(
      'ARCHIVE_INVALID',
    );
    const good = await buildTgz([file('a', 'a'.repeat(1000))]);
    const corrupt = Buffer.from(good);
    corrupt[20] = corrupt[20]! ^ 0xff;
    expect((await rejectedHpvsError(extractTgz(corrupt))).code).toBe('ARCHIVE_INVALID');
    const badTar = Buffer.alloc(1024, 0x41);
    expect((await rejectedHpvsError(extractTgz(gzipSync(badTar)))).code).toBe('ARCHIVE_INVALID');
  });

  it('refuses an archive that unpacks to more than maxBytes', async () => {
    const bomb = await buildTgz([file('zeros', '\0'.repeat(1_000_000))]);
    expect(bomb.length).toBeLessThan(5000);
    const error = await rejectedHpvsError(extractTgz(bomb, { maxBytes: 100_000 }));
    expect(error.code).toBe('ARCHIVE_REFUSED');
    expect(error.message).toContain('more than 100000 bytes');
  });
});

describe('buildTgz', () => {
  it('refuses unsafe and duplicate member names from its caller', async () => {
    for (const entries of [
      [file('../x', 'x')],
      [file('/x', 'x')],
      [file('a//b', 'x')],
      [file('./a', 'x')],
      [file('', 'x')],
      [file('a', '1'), { type: 'directory' as const, path: 'a' }],
    ]) {
      expect((await rejectedHpvsError(buildTgz(entries))).code).toBe('ARCHIVE_REFUSED');
    }
  });
});

describe('writeArchiveEntries', () => {
  it('writes files, folders and modes into a new folder', async () => {
    const target = join(tempDir(), 'written');
    const entries = await extractTgz(
      await buildTgz([
        file('run.sh', 'echo', true),
        { type: 'directory', path: 'empty' },
        file('deep/er/x.txt', 'x'),
      ]),
    );
    await writeArchiveEntries(target, entries);
    expect(readFileSync(join(target, 'deep/er/x.txt'), 'utf8')).toBe('x');
    expect(statSync(join(target, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(target, 'deep/er/x.txt')).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(target, 'empty'))).toEqual([]);
  });

  it('refuses entries that would land outside the folder, writing nothing there', async () => {
    const target = join(tempDir(), 'guarded', 'inner');
    for (const path of ['../escape.txt', '/tmp/abs.txt', 'a/../../escape.txt']) {
      const error = await rejectedHpvsError(writeArchiveEntries(target, [file(path, 'x')]));
      expect(error.code).toBe('ARCHIVE_REFUSED');
    }
    expect(existsSync(join(tempDir(), 'guarded'))).toBe(false);
  });

  it('refuses a folder that is not empty', async () => {
    const target = join(tempDir(), 'not-empty');
    mkdirSync(target);
    writeFileSync(join(target, 'existing'), '');
    const error = await rejectedHpvsError(writeArchiveEntries(target, [file('a', 'a')]));
    expect(error.code).toBe('OUTPUT_FAILED');
  });
});
