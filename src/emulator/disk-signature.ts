/**
 * What the first MiB of a volume image holds, decided from its bytes alone: the signatures
 * blkid and cryptsetup look for (volume headers, file systems, partition tables, swap), or
 * data without a known signature, or nothing at all. Only a blank image may be formatted:
 * the emulator never overwrites what somebody else put there.
 */

/** How much of an image is inspected; every signature below lies inside it. */
export const IMAGE_HEAD_BYTES = 1024 * 1024;

export type DiskSignatureId =
  | 'luks1'
  | 'luks2'
  | 'luks2-secondary'
  | 'gpt'
  | 'ntfs'
  | 'exfat'
  | 'bitlocker'
  | 'fat'
  | 'xfs'
  | 'btrfs'
  | 'ext2'
  | 'ext3'
  | 'ext4'
  | 'f2fs'
  | 'swap'
  | 'iso9660'
  | 'squashfs'
  | 'lvm2'
  | 'mdraid'
  | 'mbr';

export interface DiskSignature {
  id: DiskSignatureId;
  /** What an operator calls it: "an ext4 file system". */
  description: string;
  /** Where the magic that identified it starts. */
  offset: number;
}

export type ImageHeadContent =
  | { kind: 'blank' }
  | { kind: 'signature'; signature: DiskSignature }
  /** Non-zero bytes that no known signature explains: still somebody's data. */
  | { kind: 'data'; offset: number };

/** Classifies the first bytes of an image (up to `IMAGE_HEAD_BYTES`; fewer for a small file). */
export function inspectImageHead(head: Uint8Array): ImageHeadContent {
  const signature = findDiskSignature(head);
  if (signature !== undefined) return { kind: 'signature', signature };
  const offset = head.findIndex((byte) => byte !== 0);
  return offset < 0 ? { kind: 'blank' } : { kind: 'data', offset };
}

type Probe = (head: Uint8Array) => DiskSignature | undefined;

const LUKS_MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]; // "LUKS\xba\xbe"
const LUKS2_SECONDARY_MAGIC = [0x53, 0x4b, 0x55, 0x4c, 0xba, 0xbe]; // "SKUL\xba\xbe"
// where cryptsetup puts the second LUKS2 header, one per possible metadata size
const LUKS2_SECONDARY_OFFSETS = [0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000];
const MBR_SIGNATURE_OFFSET = 510;
const MBR_PARTITIONS_OFFSET = 446;
const EXT_SUPERBLOCK = 0x400;
// ext feature bits that ext2 and ext3 lack (extents, 64bit, flex_bg; huge_file, dir_nlink,
// extra_isize, metadata_csum): the same distinction blkid makes
const EXT4_INCOMPAT = 0x40 | 0x80 | 0x200;
const EXT4_RO_COMPAT = 0x8 | 0x20 | 0x40 | 0x400;
const EXT3_HAS_JOURNAL = 0x4;
// the swap signature ends each possible page size's first page
const SWAP_PAGE_SIZES = [4096, 8192, 16384, 32768, 65536];

// Partition tables and volume headers come first: a GPT disk also carries a protective MBR,
// and a FAT boot sector also ends in 0x55AA.
const PROBES: Probe[] = [
  probeLuks,
  probeLuks2Secondary,
  probeGpt,
  ascii('ntfs', 'an NTFS file system', 3, 'NTFS    '),
  ascii('exfat', 'an exFAT file system', 3, 'EXFAT   '),
  ascii('bitlocker', 'a BitLocker volume', 3, '-FVE-FS-'),
  probeFat,
  ascii('xfs', 'an XFS file system', 0, 'XFSB'),
  ascii('btrfs', 'a btrfs file system', 0x10040, '_BHRfS_M'),
  probeExt,
  bytes('f2fs', 'an F2FS file system', [0x400], [0x10, 0x20, 0xf5, 0xf2]),
  probeSwap,
  ascii('iso9660', 'an ISO 9660 image', [0x8001, 0x8801, 0x9001], 'CD001'),
  ascii('squashfs', 'a squashfs image', 0, ['hsqs', 'sqsh']),
  probeLvm2,
  bytes('mdraid', 'a Linux RAID (md) member', [0, 0x1000], [0xfc, 0x4e, 0x2b, 0xa9]),
  probeMbr,
];

/** The first known signature in `head`, or undefined when none is there. */
export function findDiskSignature(head: Uint8Array): DiskSignature | undefined {
  for (const probe of PROBES) {
    const found = probe(head);
    if (found !== undefined) return found;
  }
  return undefined;
}

function matchesAt(head: Uint8Array, offset: number, magic: readonly number[]): boolean {
  if (offset + magic.length > head.length) return false;
  return magic.every((byte, index) => head[offset + index] === byte);
}

function asciiBytes(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0));
}

function bytes(
  id: DiskSignatureId,
  description: string,
  offsets: readonly number[],
  magic: readonly number[],
): Probe {
  return (head) => {
    const offset = offsets.find((at) => matchesAt(head, at, magic));
    return offset === undefined ? undefined : { id, description, offset };
  };
}

function ascii(
  id: DiskSignatureId,
  description: string,
  offsets: number | readonly number[],
  magics: string | readonly string[],
): Probe {
  const probes = (typeof magics === 'string' ? [magics] : magics).map((magic) =>
    bytes(id, description, typeof offsets === 'number' ? [offsets] : offsets, asciiBytes(magic)),
  );
  return (head) => probes.map((probe) => probe(head)).find((found) => found !== undefined);
}

function uint16be(head: Uint8Array, offset: number): number {
  return (head[offset]! << 8) | head[offset + 1]!;
}

function uint32le(head: Uint8Array, offset: number): number {
  if (offset + 4 > head.length) return 0;
  return (
    (head[offset]! |
      (head[offset + 1]! << 8) |
      (head[offset + 2]! << 16) |
      (head[offset + 3]! << 24)) >>>
    0
  );
}

function probeLuks(head: Uint8Array): DiskSignature | undefined {
  if (!matchesAt(head, 0, LUKS_MAGIC) || head.length < 8) return undefined;
  const version = uint16be(head, 6);
  if (version === 1) return { id: 'luks1', description: 'a LUKS1 volume', offset: 0 };
  return {
    id: 'luks2',
    description: version === 2 ? 'a LUKS2 volume' : `a LUKS volume (version ${version})`,
    offset: 0,
  };
}

// a LUKS2 volume whose first header was wiped still opens from the second one
function probeLuks2Secondary(head: Uint8Array): DiskSignature | undefined {
  const offset = LUKS2_SECONDARY_OFFSETS.find((at) => matchesAt(head, at, LUKS2_SECONDARY_MAGIC));
  return offset === undefined
    ? undefined
    : { id: 'luks2-secondary', description: 'a LUKS2 volume (second header)', offset };
}

// 512-byte sectors put the GPT header at 512, 4096-byte sectors at 4096
function probeGpt(head: Uint8Array): DiskSignature | undefined {
  const offset = [512, 4096].find((at) => matchesAt(head, at, asciiBytes('EFI PART')));
  return offset === undefined
    ? undefined
    : { id: 'gpt', description: 'a GPT partition table', offset };
}

function hasBootSectorSignature(head: Uint8Array): boolean {
  return matchesAt(head, MBR_SIGNATURE_OFFSET, [0x55, 0xaa]);
}

function probeFat(head: Uint8Array): DiskSignature | undefined {
  if (!hasBootSectorSignature(head)) return undefined;
  // FAT12/16 name their type at 54, FAT32 at 82
  for (const [offset, name] of [
    [54, 'FAT12   '],
    [54, 'FAT16   '],
    [54, 'FAT     '],
    [82, 'FAT32   '],
  ] as const) {
    if (matchesAt(head, offset, asciiBytes(name))) {
      return { id: 'fat', description: `a ${name.trim()} file system`, offset };
    }
  }
  return undefined;
}

function probeExt(head: Uint8Array): DiskSignature | undefined {
  const offset = EXT_SUPERBLOCK + 0x38;
  if (!matchesAt(head, offset, [0x53, 0xef])) return undefined;
  const compat = uint32le(head, EXT_SUPERBLOCK + 0x5c);
  const incompat = uint32le(head, EXT_SUPERBLOCK + 0x60);
  const roCompat = uint32le(head, EXT_SUPERBLOCK + 0x64);
  const id: DiskSignatureId =
    (incompat & EXT4_INCOMPAT) !== 0 || (roCompat & EXT4_RO_COMPAT) !== 0
      ? 'ext4'
      : (compat & EXT3_HAS_JOURNAL) !== 0
        ? 'ext3'
        : 'ext2';
  return { id, description: `an ${id} file system`, offset };
}

function probeSwap(head: Uint8Array): DiskSignature | undefined {
  for (const page of SWAP_PAGE_SIZES) {
    const offset = page - 10;
    if (
      matchesAt(head, offset, asciiBytes('SWAPSPACE2')) ||
      matchesAt(head, offset, asciiBytes('SWAP-SPACE'))
    ) {
      return { id: 'swap', description: 'a swap area', offset };
    }
  }
  return undefined;
}

// the label may sit in any of the first four sectors; "LVM2 001" follows 24 bytes later
function probeLvm2(head: Uint8Array): DiskSignature | undefined {
  const offset = [0, 512, 1024, 1536].find(
    (at) =>
      matchesAt(head, at, asciiBytes('LABELONE')) &&
      matchesAt(head, at + 24, asciiBytes('LVM2 001')),
  );
  return offset === undefined
    ? undefined
    : { id: 'lvm2', description: 'an LVM2 physical volume', offset };
}

// 0x55AA alone also ends boot sectors without partitions; a used partition entry decides
function probeMbr(head: Uint8Array): DiskSignature | undefined {
  if (!hasBootSectorSignature(head)) return undefined;
  for (let entry = 0; entry < 4; entry++) {
    const type = head[MBR_PARTITIONS_OFFSET + entry * 16 + 4];
    if (type !== undefined && type !== 0) {
      return { id: 'mbr', description: 'an MBR partition table', offset: MBR_SIGNATURE_OFFSET };
    }
  }
  return undefined;
}
