import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveFolder } from '../../../src/node/archive-folder.js';
import { rejectedHpvsError } from '../../helpers/expect-error.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-archive-');
let counter = 0;

function freshDir(): string {
  const dir = join(tempDir(), `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

const COMPOSE = 'services:\n  web:\n    image: nginx@sha256:' + 'a'.repeat(64) + '\n';

interface TreeFile {
  path: string;
  content: string;
  executable?: boolean;
}

const TREE: TreeFile[] = [
  { path: 'docker-compose.yml', content: COMPOSE },
  { path: 'app/start.sh', content: '#!/bin/sh\necho hi\n', executable: true },
  { path: 'app/config/settings.json', content: '{"a":1}\n' },
  { path: 'app/config/z-last.txt', content: 'z' },
  { path: 'README', content: '' },
  { path: 'a-b', content: 'sorts before a/' },
];

/** Writes TREE in the given order with the given per-file attributes. */
function writeTree(
  dir: string,
  order: TreeFile[],
  attributes: { mtime: Date; fileMode: number; execMode: number; owner?: number },
): void {
  mkdirSync(join(dir, 'empty-dir'));
  for (const file of order) {
    const path = join(dir, file.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, file.content);
    chmodSync(path, file.executable ? attributes.execMode : attributes.fileMode);
    utimesSync(path, attributes.mtime, attributes.mtime);
    if (attributes.owner !== undefined) chownSync(path, attributes.owner, attributes.owner);
  }
}

describe('archiveFolder', () => {
  it('gives identical bytes for the same files whatever order, mtimes, permissions and owners', async () => {
    const first = freshDir();
    const second = freshDir();
    writeTree(first, TREE, {
      mtime: new Date('2020-01-01T00:00:00Z'),
      fileMode: 0o644,
      execMode: 0o755,
    });
    const isRoot = process.getuid?.() === 0;
    writeTree(second, [...TREE].reverse(), {
      mtime: new Date('2031-06-15T12:34:56Z'),
      fileMode: 0o600,
      execMode: 0o700,
      ...(isRoot ? { owner: 4242 } : {}),
    });
    expect(statSync(join(first, 'README')).mtimeMs).not.toBe(
      statSync(join(second, 'README')).mtimeMs,
    );
    const a = await archiveFolder(first);
    const b = await archiveFolder(second);
    expect(a.base64).toBe(b.base64);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.warnings).toEqual([]);
  });

  it('writes a fixed gzip header (no mtime, no OS byte) and one line of base64', async () => {
    const dir = freshDir();
    writeTree(dir, TREE, { mtime: new Date(), fileMode: 0o644, execMode: 0o755 });
    const { bytes, base64 } = await archiveFolder(dir);
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
    expect(base64).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(base64, 'base64').equals(bytes)).toBe(true);
  });

  describe.skipIf(!hasTool('tar'))('read back with the tar program', () => {
    it('reproduces every file, folder and executable bit through tar -xz', async () => {
      const dir = freshDir();
      writeTree(dir, TREE, { mtime: new Date(), fileMode: 0o640, execMode: 0o750 });
      const { bytes } = await archiveFolder(dir);
      const out = freshDir();
      const result = runTool('tar', ['-xz', '-C', out], bytes);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      for (const file of TREE) {
        const path = join(out, file.path);
        expect(readFileSync(path, 'utf8')).toBe(file.content);
        expect(statSync(path).mode & 0o777).toBe(file.executable ? 0o755 : 0o644);
      }
      expect(readdirSync(join(out, 'empty-dir'))).toEqual([]);
      expect(readdirSync(out).sort()).toEqual(
        ['README', 'a-b', 'app', 'docker-compose.yml', 'empty-dir'].sort(),
      );
    });

    it('keeps long (over 100 bytes) and non-ASCII names intact', async () => {
      const dir = freshDir();
      const long = `${'deep-folder-name/'.repeat(8)}${'f'.repeat(90)}.txt`;
      const names = [long, 'café/日本語.yaml', 'docker-compose.yml'];
      for (const name of names) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), name);
      }
      const { bytes } = await archiveFolder(dir);
      const out = freshDir();
      expect(runTool('tar', ['-xz', '-C', out], bytes).status).toBe(0);
      for (const name of names) expect(readFileSync(join(out, name), 'utf8')).toBe(name);
    });

    it('lists members sorted, owned by 0/0 with empty names and mtime 0', async () => {
      const dir = freshDir();
      writeTree(dir, TREE, { mtime: new Date(), fileMode: 0o644, execMode: 0o755 });
      const { bytes } = await archiveFolder(dir);
      const listing = runTool('tar', ['-tvz', '--numeric-owner'], bytes).stdout.toString();
      const lines = listing.trimEnd().split('\n');
      expect(lines.map((line) => line.split(/\s+/).at(-1))).toEqual([
        'README',
        'a-b',
        'app/',
        'app/config/',
        'app/config/settings.json',
        'app/config/z-last.txt',
        'app/start.sh',
        'docker-compose.yml',
        'empty-dir/',
      ]);
      for (const line of lines) {
        expect(line).toMatch(/^[-d]rw[-x]r-[-x]r-[-x] 0\/0 .* 1970-01-01 00:00 /);
      }
      const raw = runTool('gzip', ['-dc'], bytes).stdout;
      expect(raw.subarray(265, 265 + 64).every((byte) => byte === 0)).toBe(true);
    });
  });

  describe('refuses what the runtime cannot unpack, naming the path', () => {
    it('refuses a symbolic link, even one pointing inside the folder', async () => {
      const dir = freshDir();
      writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
      mkdirSync(join(dir, 'sub'));
      symlinkSync('../docker-compose.yml', join(dir, 'sub', 'link.yml'));
      const error = await rejectedHpvsError(archiveFolder(dir));
      expect(error.code).toBe('ARCHIVE_REFUSED');
      expect(error.message).toContain(`${join(dir, 'sub', 'link.yml')} is a symbolic link`);
    });

    it('refuses a dangling symbolic link and a link to a folder', async () => {
      const dangling = freshDir();
      symlinkSync('/nonexistent/target', join(dangling, 'gone'));
      expect((await rejectedHpvsError(archiveFolder(dangling))).message).toContain(
        `${join(dangling, 'gone')} is a symbolic link`,
      );
      const toDir = freshDir();
      symlinkSync('/etc', join(toDir, 'etc'));
      expect((await rejectedHpvsError(archiveFolder(toDir))).code).toBe('ARCHIVE_REFUSED');
    });

    it('refuses a hard-linked file', async () => {
      const dir = freshDir();
      writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
      linkSync(join(dir, 'docker-compose.yml'), join(dir, 'copy.yml'));
      const error = await rejectedHpvsError(archiveFolder(dir));
      expect(error.code).toBe('ARCHIVE_REFUSED');
      expect(error.message).toMatch(/(copy|docker-compose)\.yml is a hard link/);
    });

    it.skipIf(!hasTool('mkfifo'))('refuses a fifo', async () => {
      const dir = freshDir();
      mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
      expect(spawnSync('mkfifo', [join(dir, 'deep', 'er', 'pipe')]).status).toBe(0);
      const error = await rejectedHpvsError(archiveFolder(dir));
      expect(error.code).toBe('ARCHIVE_REFUSED');
      expect(error.message).toContain(`${join(dir, 'deep', 'er', 'pipe')} is a fifo`);
    });

    describe('sockets', () => {
      let server: Server | undefined;
      afterAll(
        () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
      );

      it('refuses a socket', async () => {
        const dir = freshDir();
        const path = join(dir, 's.sock');
        server = createServer();
        await new Promise<void>((resolve) => server!.listen(path, resolve));
        const error = await rejectedHpvsError(archiveFolder(dir));
        expect(error.code).toBe('ARCHIVE_REFUSED');
        expect(error.message).toContain(`${path} is a socket`);
      });
    });

    const canMknod = (() => {
      const probe = join(tempDir(), 'mknod-probe');
      const ok = spawnSync('mknod', [probe, 'c', '1', '3']).status === 0;
      spawnSync('rm', ['-f', probe]);
      return ok;
    })();

    it.skipIf(!canMknod)('refuses character and block devices', async () => {
      const chr = freshDir();
      expect(spawnSync('mknod', [join(chr, 'null'), 'c', '1', '3']).status).toBe(0);
      expect((await rejectedHpvsError(archiveFolder(chr))).message).toContain(
        `${join(chr, 'null')} is a character device`,
      );
      const blk = freshDir();
      expect(spawnSync('mknod', [join(blk, 'loop'), 'b', '7', '200']).status).toBe(0);
      expect((await rejectedHpvsError(archiveFolder(blk))).message).toContain(
        `${join(blk, 'loop')} is a block device`,
      );
    });

    it('refuses a missing folder and a file given as the folder', async () => {
      const missing = await rejectedHpvsError(archiveFolder(join(tempDir(), 'no-such-folder')));
      expect(missing.code).toBe('FILE_NOT_FOUND');
      const dir = freshDir();
      writeFileSync(join(dir, 'file'), 'x');
      const notFolder = await rejectedHpvsError(archiveFolder(join(dir, 'file')));
      expect(notFolder.code).toBe('FILE_UNREADABLE');
      expect(notFolder.message).toContain('not a folder');
    });
  });

  describe('warnings', () => {
    function composeDir(name: string, content: string): string {
      const dir = freshDir();
      writeFileSync(join(dir, name), content);
      return dir;
    }

    it('warns about a build: section and an image without a digest, with positions', async () => {
      const dir = composeDir(
        'docker-compose.yaml',
        'services:\n  web:\n    build: ./web\n  cache:\n    image: redis:7\n  db:\n    image: postgres@sha256:' +
          'b'.repeat(64) +
          '\n',
      );
      const { warnings } = await archiveFolder(dir);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/docker-compose\.yaml:3:\d+ service "web" has a build: section/);
      expect(warnings[1]).toMatch(
        /docker-compose\.yaml:5:\d+ service "cache" image "redis:7" has no @sha256: digest/,
      );
    });

    it('does not judge an image taken from an environment variable', async () => {
      const dir = composeDir('docker-compose.yml', 'services:\n  web:\n    image: ${IMAGE}\n');
      expect((await archiveFolder(dir)).warnings).toEqual([]);
    });

    it('warns when the folder has no docker-compose file, unless it is for play', async () => {
      const dir = composeDir('compose.yaml', COMPOSE);
      const { warnings } = await archiveFolder(dir);
      expect(warnings).toEqual([
        expect.stringContaining('no docker-compose.yaml or docker-compose.yml'),
      ]);
      expect((await archiveFolder(dir, { kind: 'play' })).warnings).toEqual([]);
    });

    it('warns when both names exist and when the compose file is not YAML', async () => {
      const both = composeDir('docker-compose.yml', COMPOSE);
      writeFileSync(join(both, 'docker-compose.yaml'), COMPOSE);
      expect((await archiveFolder(both)).warnings).toEqual([
        expect.stringContaining('has both docker-compose.yaml and docker-compose.yml'),
      ]);
      const broken = composeDir('docker-compose.yml', 'services:\n  web: [unclosed\n');
      expect((await archiveFolder(broken)).warnings).toEqual([
        expect.stringMatching(
          /docker-compose\.yml:3:1: invalid YAML: .*; the runtime cannot read it$/,
        ),
      ]);
    });

    it('warns when the archive exceeds the 64 KiB user-data limit', async () => {
      const dir = composeDir('docker-compose.yml', COMPOSE);
      const { randomBytes } = await import('node:crypto');
      writeFileSync(join(dir, 'blob.bin'), randomBytes(60 * 1024));
      expect((await archiveFolder(dir)).warnings).toEqual([
        expect.stringContaining('more than the 64 KiB IBM Cloud VPC allows'),
      ]);
    });
  });
});
