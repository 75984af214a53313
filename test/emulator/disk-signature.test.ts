import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findDiskSignature,
  IMAGE_HEAD_BYTES,
  inspectImageHead,
  type DiskSignatureId,
} from '../../src/emulator/disk-signature.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool, runTool } from '../helpers/tools.js';

const tempDir = useTempDir('hpvs-disk-signature-');

/** A zeroed image head with the given bytes written at their offsets. */
function head(...writes: [offset: number, data: string | number[]][]): Uint8Array {
  const bytes = new Uint8Array(IMAGE_HEAD_BYTES);
  for (const [offset, data] of writes) {
    bytes.set(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, offset);
  }
  return bytes;
}

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

const BOOT_SIGNATURE: [number, number[]] = [510, [0x55, 0xaa]];
const EXT_MAGIC: [number, number[]] = [0x438, [0x53, 0xef]];

describe('inspectImageHead', () => {
  it('calls all zeros blank, whatever the length', () => {
    expect(inspectImageHead(head())).toEqual({ kind: 'blank' });
    expect(inspectImageHead(new Uint8Array(0))).toEqual({ kind: 'blank' });
    expect(inspectImageHead(new Uint8Array(100))).toEqual({ kind: 'blank' });
  });

  it('calls non-zero bytes without a signature data, with the first offset', () => {
    expect(inspectImageHead(Buffer.from('important data'))).toEqual({ kind: 'data', offset: 0 });
    expect(inspectImageHead(head([0x7ffff, [1]]))).toEqual({ kind: 'data', offset: 0x7ffff });
    // a boot sector signature with no partition entry is not a partition table, but not blank
    expect(inspectImageHead(head(BOOT_SIGNATURE))).toEqual({ kind: 'data', offset: 510 });
  });

  it('reports a signature before any other data', () => {
    expect(inspectImageHead(head([0, 'XFSB'], [100, [9]]))).toEqual({
      kind: 'signature',
      signature: { id: 'xfs', description: 'an XFS file system', offset: 0 },
    });
  });
});

describe('findDiskSignature, one case per signature', () => {
  const cases: [string, Uint8Array, DiskSignatureId, number][] = [
    ['LUKS1 header', head([0, 'LUKS\xba\xbe'], [6, [0, 1]]), 'luks1', 0],
    ['LUKS2 header', head([0, 'LUKS\xba\xbe'], [6, [0, 2]]), 'luks2', 0],
    [
      'LUKS2 second header (first wiped)',
      head([0x4000, 'SKUL\xba\xbe']),
      'luks2-secondary',
      0x4000,
    ],
    [
      'LUKS2 second header for 1 MiB metadata',
      head([0x80000, 'SKUL\xba\xbe']),
      'luks2-secondary',
      0x80000,
    ],
    ['GPT, 512-byte sectors', head([512, 'EFI PART']), 'gpt', 512],
    ['GPT, 4096-byte sectors', head([4096, 'EFI PART']), 'gpt', 4096],
    [
      'GPT wins over its protective MBR',
      head(BOOT_SIGNATURE, [446 + 4, [0xee]], [512, 'EFI PART']),
      'gpt',
      512,
    ],
    ['MBR with a partition entry', head(BOOT_SIGNATURE, [446 + 16 + 4, [0x83]]), 'mbr', 510],
    ['FAT16 boot sector', head(BOOT_SIGNATURE, [54, 'FAT16   ']), 'fat', 54],
    [
      'FAT32 boot sector (wins over 0x55AA)',
      head(BOOT_SIGNATURE, [82, 'FAT32   '], [446 + 4, [0x0c]]),
      'fat',
      82,
    ],
    ['NTFS', head([3, 'NTFS    ']), 'ntfs', 3],
    ['exFAT', head([3, 'EXFAT   ']), 'exfat', 3],
    ['BitLocker', head([3, '-FVE-FS-']), 'bitlocker', 3],
    ['XFS', head([0, 'XFSB']), 'xfs', 0],
    ['btrfs', head([0x10040, '_BHRfS_M']), 'btrfs', 0x10040],
    ['ext2 (no journal, no ext4 features)', head(EXT_MAGIC), 'ext2', 0x438],
    ['ext3 (has_journal)', head(EXT_MAGIC, [0x45c, le32(0x4)]), 'ext3', 0x438],
    ['ext4 (extents)', head(EXT_MAGIC, [0x45c, le32(0x4)], [0x460, le32(0x40)]), 'ext4', 0x438],
    ['ext4 (metadata_csum)', head(EXT_MAGIC, [0x464, le32(0x400)]), 'ext4', 0x438],
    ['F2FS', head([0x400, le32(0xf2f52010)]), 'f2fs', 0x400],
    ['swap, 4 KiB pages', head([4086, 'SWAPSPACE2']), 'swap', 4086],
    ['swap, old format, 64 KiB pages', head([65526, 'SWAP-SPACE']), 'swap', 65526],
    ['ISO 9660', head([0x8001, 'CD001']), 'iso9660', 0x8001],
    ['squashfs (little-endian)', head([0, 'hsqs']), 'squashfs', 0],
    ['squashfs (big-endian)', head([0, 'sqsh']), 'squashfs', 0],
    ['LVM2 label in sector 1', head([512, 'LABELONE'], [536, 'LVM2 001']), 'lvm2', 512],
    ['md RAID superblock 1.2', head([0x1000, le32(0xa92b4efc)]), 'mdraid', 0x1000],
  ];
  it.each(cases)('%s', (_name, bytes, id, offset) => {
    expect(findDiskSignature(bytes)).toMatchObject({ id, offset });
  });

  it('finds nothing in zeros, in a short head, or in a lone label without its type', () => {
    expect(findDiskSignature(head())).toBeUndefined();
    expect(findDiskSignature(Buffer.from('LUKS'))).toBeUndefined();
    expect(findDiskSignature(Buffer.from([0x53, 0xef]))).toBeUndefined();
    expect(findDiskSignature(head([512, 'LABELONE']))).toBeUndefined();
  });
});

/**
 * The real formatters and blkid as the oracle: what mkfs.ext4, mkswap, cryptsetup and xorriso
 * write is recognised, and blkid names the same thing.
 */
describe('findDiskSignature on images made by the real tools', () => {
  const blkidType = (image: string): string | undefined =>
    hasTool('blkid')
      ? runTool('blkid', ['-p', '-o', 'value', '-s', 'TYPE', image]).stdout.toString().trim()
      : undefined;

  function blankImage(name: string, size = 32 * 1024 * 1024): string {
    const image = join(tempDir(), name);
    expect(runTool('truncate', ['-s', String(size), image]).status).toBe(0);
    return image;
  }

  function expectFound(image: string, id: DiskSignatureId, blkid: string): void {
    const found = findDiskSignature(readFileSync(image).subarray(0, IMAGE_HEAD_BYTES));
    expect(found?.id).toBe(id);
    const type = blkidType(image);
    if (type !== undefined) expect(type).toBe(blkid);
  }

  const skip = (tool: string) => (hasTool(tool) ? '' : ` (skipped: ${tool} is not installed)`);

  it.skipIf(!hasTool('mkfs.ext4'))(`mkfs.ext4${skip('mkfs.ext4')}`, () => {
    const image = blankImage('ext4.img');
    expect(runTool('mkfs.ext4', ['-q', '-F', image]).status).toBe(0);
    expectFound(image, 'ext4', 'ext4');
    const ext2 = blankImage('ext2.img');
    expect(runTool('mkfs.ext2', ['-q', '-F', ext2]).status).toBe(0);
    expectFound(ext2, 'ext2', 'ext2');
  });

  it.skipIf(!hasTool('mkswap'))(`mkswap${skip('mkswap')}`, () => {
    const image = blankImage('swap.img');
    expect(runTool('mkswap', [image]).status).toBe(0);
    expectFound(image, 'swap', 'swap');
  });

  it.skipIf(!hasTool('cryptsetup'))(
    `cryptsetup luksFormat LUKS1 and LUKS2${skip('cryptsetup')}`,
    () => {
      for (const version of ['luks1', 'luks2'] as const) {
        const image = blankImage(`${version}.img`);
        const format = runTool(
          'cryptsetup',
          [
            'luksFormat',
            '--batch-mode',
            '--type',
            version,
            '--pbkdf',
            'pbkdf2',
            '--pbkdf-force-iterations',
            '1000',
            '--key-file',
            '-',
            image,
          ],
          'passphrase',
        );
        expect(format.status, format.stderr).toBe(0);
        expectFound(image, version, 'crypto_LUKS');
      }
    },
  );

  it.skipIf(!hasTool('xorriso'))(`xorriso ISO 9660${skip('xorriso')}`, () => {
    const source = join(tempDir(), 'iso-source');
    runTool('mkdir', ['-p', source]);
    writeFileSync(join(source, 'hello.txt'), 'hello');
    const image = join(tempDir(), 'image.iso');
    const made = runTool('xorriso', ['-as', 'mkisofs', '-quiet', '-o', image, source]);
    expect(made.status, made.stderr).toBe(0);
    expectFound(image, 'iso9660', 'iso9660');
  });
});
