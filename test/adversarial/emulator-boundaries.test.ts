import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import { expectBounded, expectCleanFailure, runBounded } from './hostile-cli.js';

/**
 * The emulator touches the file system more than any other command: it never deletes what it
 * did not create (item 7), answers a bad --out-dir or --out in one line (items 9 and 10) and
 * formats a blank volume image while refusing one that holds something (item 16).
 */
const tempDir = useTempDir('hpvs-adversarial-emulator-');
let f: AdversarialFiles;
let dir: string;
let state: string;

beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
  state = join(dir, 'hpcr');
  const init = await runBounded(['emulator', 'init', '--state', state, '--key-bits', '2048']);
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

let counter = 0;
function caseDir(): string {
  const path = join(dir, `case-${++counter}`);
  mkdirSync(path);
  return path;
}

const boot = (outDir: string, extra: string[] = []) =>
  runBounded(['emulator', 'boot', f.userData, '--state', state, '--out-dir', outDir, ...extra]);

describe('emulator boot --out-dir', () => {
  it("keeps a user's files in an existing DIR/workload (item 7)", async () => {
    const out = join(caseDir(), 'instance');
    mkdirSync(join(out, 'workload'), { recursive: true });
    writeFileSync(join(out, 'workload', 'mine.txt'), 'my own notes\n');
    const result = await boot(out);
    expectBounded(result, 'boot into a folder with a user workload/');
    expect(readFileSync(join(out, 'workload', 'mine.txt'), 'utf8')).toBe('my own notes\n');
    if (result.code !== 0) {
      // refusing is right too, if it says which folder and why
      expect(result.stdout + result.stderr).toMatch(/workload/);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('a regular file as --out-dir is one clean line, not ENOTDIR (item 10)', async () => {
    const file = join(caseDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    const result = await boot(file);
    expectCleanFailure(result, 'boot --out-dir FILE', {
      code: 1,
      report: true,
      message: /not-a-folder/,
      secrets: f.secrets,
    });
    expect(result.stdout + result.stderr).not.toMatch(/ENOTDIR/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('emulator log-server --out', () => {
  it('in a missing folder is refused at start in one line (item 9)', async () => {
    const work = caseDir();
    const tls = join(work, 'tls');
    const made = await runBounded([
      'certs',
      'syslog',
      '--ip',
      '127.0.0.1',
      '--bits',
      '2048',
      '--out-dir',
      tls,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const result = await runBounded([
      ...['emulator', 'log-server', '--port', '0', '--ca', join(tls, 'ca.crt')],
      ...['--cert', join(tls, 'server.crt'), '--key', join(tls, 'server-key.pem')],
      ...['--out', join(work, 'missing', 'folder', 'received.log')],
    ]);
    expectCleanFailure(result, 'log-server --out in a missing folder', {
      code: 1,
      message: /missing/,
    });
  });
});

const CRYPTSETUP_SKIP = hasTool('cryptsetup')
  ? ''
  : ' (skipped: cryptsetup is not installed; apt-get install cryptsetup-bin)';

describe.skipIf(CRYPTSETUP_SKIP !== '')(
  `emulator volume images (item 16)${CRYPTSETUP_SKIP}`,
  () => {
    const MiB = 1024 * 1024;
    /** A 64 MiB image file, zero everywhere except `bytes` written at `offset`. */
    function image(name: string, offset?: number, bytes?: Buffer): string {
      const path = join(caseDir(), name);
      const fd = openSync(path, 'w');
      writeSync(fd, Buffer.alloc(1), 0, 1, 64 * MiB - 1);
      if (offset !== undefined && bytes) writeSync(fd, bytes, 0, bytes.length, offset);
      closeSync(fd);
      return path;
    }

    it('an all-zero image (what truncate -s gives) is blank: it is formatted', async () => {
      const path = image('zero.img');
      const result = await boot(join(dir, 'zero-instance'), [
        '--volume-image',
        `data=${path}`,
        '--fast-kdf',
      ]);
      expectBounded(result, 'boot with an all-zero image');
      expect(result.code, result.stdout.slice(-600)).toBe(0);
      expect(readFileSync(path).subarray(0, 6).equals(Buffer.from('LUKS\xba\xbe', 'latin1'))).toBe(
        true,
      );
    });

    it('an image with a file system signature is still refused', async () => {
      // the ext2/3/4 superblock magic 0xEF53 at byte 1080
      const path = image('ext4.img', 1080, Buffer.from([0x53, 0xef]));
      const before = readFileSync(path);
      const result = await boot(join(dir, 'ext4-instance'), [
        '--volume-image',
        `data=${path}`,
        '--fast-kdf',
      ]);
      expectBounded(result, 'boot with an ext4-marked image');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/HPL\d{5}E/);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(path)).toBe(true);
    });
  },
);

describe('emulator boot of hostile YAML', () => {
  it.each([
    [
      'an alias bomb',
      `x-a0: &a0 [${Array(10).fill('"lol"').join(', ')}]\n${Array.from({ length: 8 }, (_, i) => `x-a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}\nworkload: *a8\nenv: *a8\n`,
    ],
    ['deep nesting', `workload: ${'['.repeat(5000)}${']'.repeat(5000)}\nenv: x\n`],
  ])('%s fails the boot with a cause, not an unexpected failure', async (label, text) => {
    const work = caseDir();
    writeFileSync(join(work, 'user-data.yaml'), text);
    const result = await runBounded(
      ['emulator', 'boot', 'user-data.yaml', '--state', state, '--out-dir', 'instance'],
      { cwd: work },
    );
    expectBounded(result, label);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/HPL11001E: Unable to parse the contract: user-data\.yaml/);
    expect(result.stdout + result.stderr).not.toMatch(
      /internal error|unexpected failure|Maximum call stack|\n\s+at \S/,
    );
  });
  it('non-UTF-8 bytes in a value fail the boot at their place instead of becoming U+FFFD', async () => {
    const work = caseDir();
    const text = readFileSync(f.userData, 'utf8');
    const at = text.indexOf('ingest.example.com') + 1;
    const line = text.slice(0, at).split('\n').length;
    const col = at - text.lastIndexOf('\n', at - 1);
    writeFileSync(
      join(work, 'user-data.yaml'),
      Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(text.slice(at)),
      ]),
    );
    const result = await runBounded(
      ['emulator', 'boot', 'user-data.yaml', '--state', state, '--out-dir', 'instance'],
      { cwd: work },
    );
    expectBounded(result, 'non-UTF-8 user data');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `HPL11001E: Unable to parse the contract: user-data.yaml:${line}:${col}: not UTF-8 (byte 0xff)`,
    );
    expect(result.stdout).not.toContain('\ufffd');
  });
});
