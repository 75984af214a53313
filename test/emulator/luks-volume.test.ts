import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveLuksPassphrase } from '../../src/crypto/luks-passphrase.js';
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
        message: expect.stringMatching(/not a LUKS2 volume/),
      });
      expect(readFileSync(image, 'utf8')).toBe('important data');
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
