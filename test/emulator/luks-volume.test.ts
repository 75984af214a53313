import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveLuksPassphrase } from '../../src/core/crypto/luks-passphrase.js';
import { prepareLuksVolume } from '../../src/emulator/luks-volume.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool, runTool } from '../helpers/tools.js';

const tempDir = useTempDir('hpvs-emulator-luks-');
const passphrase = deriveLuksPassphrase('env-seed-abcdefghijklmn', 'workload-seed-0123456789');

const CRYPTSETUP_SKIP = hasTool('cryptsetup')
  ? ''
  : ' (skipped: cryptsetup is not installed; apt-get install cryptsetup-bin)';

describe.skipIf(CRYPTSETUP_SKIP !== '')(
  `LUKS2 volume image (real cryptsetup)${CRYPTSETUP_SKIP}`,
  () => {
    it('formats a new image as LUKS2, reopens it with the same passphrase, refuses another', async () => {
      const image = join(tempDir(), 'data.img');
      expect(await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true })).toBe(
        'formatted',
      );
      expect(statSync(image).mode & 0o777).toBe(0o600);
      const dump = runTool('cryptsetup', ['luksDump', image]);
      expect(dump.stdout.toString()).toMatch(/^Version:\s+2$/m);
      expect(dump.stdout.toString()).toMatch(/^Label:\s+data$/m);
      expect(dump.stdout.toString()).toMatch(/PBKDF:\s+pbkdf2/);
      // the oracle: cryptsetup itself accepts the passphrase hpvs-ctl derives, and nothing else
      expect(
        runTool('cryptsetup', ['open', '--test-passphrase', '--key-file', '-', image], passphrase)
          .status,
      ).toBe(0);
      const before = readFileSync(image).subarray(0, 4096);
      expect(await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true })).toBe(
        'unlocked',
      );
      expect(readFileSync(image).subarray(0, 4096).equals(before)).toBe(true);
      const other = deriveLuksPassphrase('env-seed-abcdefghijklmn', 'another-workload-seed-xyz');
      await expect(
        prepareLuksVolume({ image, name: 'data', passphrase: other, fastKdf: true }),
      ).rejects.toMatchObject({
        code: 'VOLUME_FAILED',
        message: expect.stringMatching(/seeds differ/),
      });
    });

    it('re-keys a volume that opens with the previousSeed passphrase, then drops the old key', async () => {
      const image = join(tempDir(), 'rotated.img');
      await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true });
      const rotated = deriveLuksPassphrase('env-seed-abcdefghijklmn', 'new-workload-seed-0123456');
      expect(
        await prepareLuksVolume({
          image,
          name: 'data',
          passphrase: rotated,
          previousPassphrase: passphrase,
          fastKdf: true,
        }),
      ).toBe('rekeyed');
      const opens = (key: string) =>
        runTool('cryptsetup', ['open', '--test-passphrase', '--key-file', '-', image], key).status;
      expect(opens(rotated)).toBe(0);
      expect(opens(passphrase)).not.toBe(0);
      expect(await prepareLuksVolume({ image, name: 'data', passphrase: rotated })).toBe(
        'unlocked',
      );
    });

    it('refuses to format an existing file that is not LUKS, leaving it untouched', async () => {
      const image = join(tempDir(), 'precious.img');
      writeFileSync(image, 'important data');
      await expect(
        prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
      ).rejects.toMatchObject({
        code: 'VOLUME_FAILED',
        message: expect.stringMatching(
          /holds data without a known signature \(first non-zero byte at offset 0x0\); refusing to format it/,
        ),
      });
      expect(readFileSync(image, 'utf8')).toBe('important data');
    });

    it('formats an existing all-zero image (truncate -s) in place, keeping its size', async () => {
      const image = join(tempDir(), 'zeros.img');
      expect(runTool('truncate', ['-s', '40M', image]).status).toBe(0);
      expect(await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true })).toBe(
        'formatted',
      );
      expect(statSync(image).size).toBe(40 * 1024 * 1024);
      expect(
        runTool('cryptsetup', ['open', '--test-passphrase', '--key-file', '-', image], passphrase)
          .status,
      ).toBe(0);
    });

    it('refuses an image holding zeros except one byte deep in its first MiB', async () => {
      const image = join(tempDir(), 'almost-zeros.img');
      expect(runTool('truncate', ['-s', '40M', image]).status).toBe(0);
      const fd = openSync(image, 'r+');
      writeSync(fd, Buffer.from([7]), 0, 1, 0x9ffff);
      closeSync(fd);
      await expect(
        prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
      ).rejects.toMatchObject({
        code: 'VOLUME_FAILED',
        message: expect.stringMatching(/offset 0x9ffff/),
      });
    });

    it.skipIf(!hasTool('mkfs.ext4'))(
      `refuses a real ext4 image, naming it, and leaves it untouched${hasTool('mkfs.ext4') ? '' : ' (skipped: mkfs.ext4 is not installed)'}`,
      async () => {
        const image = join(tempDir(), 'ext4.img');
        expect(runTool('truncate', ['-s', '40M', image]).status).toBe(0);
        expect(runTool('mkfs.ext4', ['-q', '-F', image]).status).toBe(0);
        const before = createHash('sha256').update(readFileSync(image)).digest('hex');
        await expect(
          prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
        ).rejects.toMatchObject({
          code: 'VOLUME_FAILED',
          message: expect.stringMatching(
            /ext4\.img: holds an ext4 file system \(signature at offset 0x438\); refusing to format it/,
          ),
        });
        expect(createHash('sha256').update(readFileSync(image)).digest('hex')).toBe(before);
      },
    );

    it('refuses a LUKS2 header cryptsetup cannot read, instead of formatting over it', async () => {
      const image = join(tempDir(), 'damaged.img');
      await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true });
      // break both binary headers after their magic (the second one would repair the first)
      const fd = openSync(image, 'r+');
      for (const header of [0, 0x4000]) writeSync(fd, Buffer.alloc(256, 0xff), 0, 256, header + 64);
      closeSync(fd);
      expect(runTool('cryptsetup', ['isLuks', '--type', 'luks2', image]).status).not.toBe(0);
      await expect(
        prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
      ).rejects.toMatchObject({
        message: expect.stringMatching(
          /damaged\.img: holds a LUKS2 volume that cryptsetup cannot open \(signature at offset 0x0\)/,
        ),
      });
    });

    it('refuses a LUKS1 volume instead of formatting over it', async () => {
      const image = join(tempDir(), 'luks1.img');
      expect(runTool('truncate', ['-s', '40M', image]).status).toBe(0);
      const format = runTool(
        'cryptsetup',
        [
          'luksFormat',
          '--batch-mode',
          '--type',
          'luks1',
          '--pbkdf-force-iterations',
          '1000',
          '--key-file',
          '-',
          image,
        ],
        passphrase,
      );
      expect(format.status, format.stderr).toBe(0);
      await expect(
        prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/holds a LUKS1 volume/) });
      expect(runTool('cryptsetup', ['isLuks', '--type', 'luks1', image]).status).toBe(0);
    });

    it('says in one line when the image path is a folder, lies below a file or in a missing folder', async () => {
      const folder = join(tempDir(), 'a-folder.img');
      mkdirSync(folder);
      const file = join(tempDir(), 'plain-file');
      writeFileSync(file, 'x');
      for (const [image, cause] of [
        [folder, 'not a regular file; give an image file'],
        [join(file, 'data.img'), 'a part of the path is a file, not a folder; give an image file'],
        [join(tempDir(), 'missing', 'data.img'), 'cannot create the volume image (ENOENT)'],
      ] as const) {
        await expect(
          prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true }),
        ).rejects.toMatchObject({ code: 'VOLUME_FAILED', message: `${image}: ${cause}` });
      }
      expect(readFileSync(file, 'utf8')).toBe('x');
    });

    it('treats an empty file as a new volume', async () => {
      const image = join(tempDir(), 'empty.img');
      writeFileSync(image, '');
      expect(await prepareLuksVolume({ image, name: 'data', passphrase, fastKdf: true })).toBe(
        'formatted',
      );
      expect(existsSync(image)).toBe(true);
    });
  },
);
