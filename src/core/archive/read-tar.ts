import { HpvsError } from '../errors.js';

/** What a member is, from its type flag (and, in old archives, a trailing `/` on a file's name). */
export type TarMemberType =
  | 'file'
  | 'directory'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'sparse-file'
  | 'other';

/** One member of a tar archive, after its pax headers and GNU long names were applied. */
export interface TarMember {
  /** The path as the archive spells it: a pax `path`, else a GNU long name, else prefix/name. */
  name: string;
  type: TarMemberType;
  /** The type flag as written ("0", "5", "V", ...; "" for the NUL of old archives). */
  typeflag: string;
  mode: number;
  /** A link's target (pax `linkpath`, GNU long link or the header); "" for other members. */
  linkname: string;
  /** A regular file's content, a view into the archive's bytes; empty for other members. */
  data: Uint8Array;
}

const BLOCK = 512;

/**
 * A pax extended header or GNU long name larger than this is refused: paths end at a few KiB
 * on every system, and without a bound one header could make the reader hold the whole archive.
 */
export const MAX_META_BYTES = 1024 * 1024;

/** Types whose header never has data after it; a size on one of them is ambiguous. */
const HEADER_ONLY: ReadonlySet<TarMemberType> = new Set([
  'directory',
  'link',
  'symlink',
  'character-device',
  'block-device',
  'fifo',
]);

const TYPES: Record<string, TarMemberType> = {
  '': 'file',
  '0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  S: 'sparse-file',
};

/** pax keywords that change which bytes belong to which member (see the global header rule). */
const MEMBER_KEYWORDS = ['path', 'linkpath', 'size'];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** What the headers before a member said about it. */
interface Pending {
  pax?: Map<string, Uint8Array>;
  longName?: Uint8Array;
  longLink?: Uint8Array;
  /** Where the first of these headers starts, for messages. */
  at: number;
}

/**
 * Reads a tar archive's members in order, synchronously and without copying their data.
 * Formats: POSIX ustar (with the prefix field), pax (`x` headers: `path`, `linkpath`, `size`;
 * `GNU.sparse.*` marks a sparse file), GNU tar (`L`/`K` long names, base-256 numbers) and old
 * v7 archives. The checksum is checked as an unsigned and as a signed sum of the header bytes,
 * as GNU tar accepts both.
 *
 * The archive ends at the end of the data or at a zero block; anything but zero bytes after a
 * zero block is refused, since tar readers disagree whether such members exist. For the same
 * reason a pax global header (`g`) is ignored unless it sets `path`, `linkpath` or `size`, which
 * POSIX applies to every member after it and other readers ignore: such an archive is refused.
 * Names must be UTF-8 (the runtime's file names and the YAML that names them are); NUL cannot
 * occur in a header's name field and a pax `path` holding one is left to the caller's name
 * checks. A size running past the end of the data, a checksum that does not match, a pax record
 * whose length field does not frame it, a negative or malformed number and a header-only member
 * (directory, link, device, fifo) with a size are refused as not a valid tar archive.
 */
export function* readTar(tar: Uint8Array, source = 'archive'): Generator<TarMember> {
  const invalid = (why: string): never => {
    throw new HpvsError('ARCHIVE_INVALID', `${source}: not a valid tar archive (${why})`);
  };
  let offset = 0;
  let pending: Pending | undefined;
  while (offset < tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (isZero(block)) {
      const after = tar.subarray(offset).findIndex((byte) => byte !== 0);
      if (after !== -1) invalid(`data at byte ${offset + after} follows the end-of-archive block`);
      break;
    }
    if (block.length < BLOCK) invalid(`the archive ends inside the header at byte ${offset}`);
    const header = readHeader(block, offset, invalid);
    const dataStart = offset + BLOCK;
    const meta = header.typeflag === 'x' || header.typeflag === 'g';
    const long = header.typeflag === 'L' || header.typeflag === 'K';
    const size = meta || long ? header.size : (paxSize(pending?.pax, invalid) ?? header.size);
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const end = dataStart + size;
    if (meta || long) {
      if (size > MAX_META_BYTES) {
        throw new HpvsError(
          'ARCHIVE_REFUSED',
          `${source}: the ${meta ? 'pax' : 'GNU long name'} header at byte ${offset} holds ${size} bytes, more than ${MAX_META_BYTES}`,
        );
      }
      if (next > tar.length) invalid(`the header at byte ${offset} runs past the end of the data`);
      const data = tar.subarray(dataStart, end);
      if (header.typeflag === 'g') {
        const set = MEMBER_KEYWORDS.filter((key) => paxRecords(data, dataStart, invalid).has(key));
        if (set.length > 0) {
          throw new HpvsError(
            'ARCHIVE_REFUSED',
            `${source}: the pax global header at byte ${offset} sets "${set.join('", "')}" for every member after it, which tar readers do not agree on`,
          );
        }
      } else {
        pending ??= { at: offset };
        if (header.typeflag === 'x') {
          pending.pax = new Map([...(pending.pax ?? []), ...paxRecords(data, dataStart, invalid)]);
        } else if (header.typeflag === 'L') pending.longName = cString(data);
        else pending.longLink = cString(data);
      }
      offset = next;
      continue;
    }
    const nameBytes = nonEmpty(pending?.pax?.get('path')) ?? pending?.longName ?? header.name;
    const name = decodeName(nameBytes, source);
    const linkBytes =
      nonEmpty(pending?.pax?.get('linkpath')) ?? pending?.longLink ?? header.linkname;
    let type = TYPES[header.typeflag] ?? 'other';
    if (type === 'file' && header.typeflag !== '7' && name.endsWith('/')) type = 'directory';
    if ([...(pending?.pax?.keys() ?? [])].some((key) => key.startsWith('GNU.sparse.'))) {
      type = 'sparse-file';
    }
    if (HEADER_ONLY.has(type) && size !== 0) {
      invalid(`member "${name}" is a ${type} header with ${size} bytes of data`);
    }
    if (next > tar.length) {
      invalid(`member "${name}" has ${size} bytes of data but the archive ends before them`);
    }
    pending = undefined;
    yield {
      name,
      type,
      typeflag: header.typeflag,
      mode: header.mode,
      linkname: type === 'link' || type === 'symlink' ? lenientUtf8.decode(linkBytes) : '',
      data: type === 'file' ? tar.subarray(dataStart, end) : new Uint8Array(0),
    };
    offset = next;
  }
  if (pending !== undefined) {
    invalid(`the extended header at byte ${pending.at} is followed by no member`);
  }
}

interface Header {
  name: Uint8Array;
  linkname: Uint8Array;
  typeflag: string;
  mode: number;
  size: number;
}

function readHeader(block: Uint8Array, at: number, invalid: (why: string) => never): Header {
  const number = (field: string, start: number, length: number): number => {
    const value = readNumber(block.subarray(start, start + length));
    if (value === undefined) invalid(`the header at byte ${at} has a malformed ${field} field`);
    if (value! < 0) invalid(`the header at byte ${at} has a negative ${field}`);
    return value!;
  };
  const stored = number('checksum', 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte < 0x80 ? byte : byte - 0x100;
  }
  if (stored !== unsigned && stored !== signed) {
    invalid(`the header at byte ${at} has checksum ${stored} but its bytes sum to ${unsigned}`);
  }
  const magic = ascii(block.subarray(257, 263));
  let name = cString(block.subarray(0, 100));
  if (magic === 'ustar\0') {
    // star writes its own times after a 131-byte prefix and marks that with "tar\0" at 508
    const starLayout = ascii(block.subarray(508, 512)) === 'tar\0';
    const prefix = cString(block.subarray(345, starLayout ? 476 : 500));
    if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
  } else if (magic !== 'ustar ' && !isZero(block.subarray(257, 265))) {
    invalid(`the header at byte ${at} is in no tar format this reader knows`);
  }
  return {
    name,
    linkname: cString(block.subarray(157, 257)),
    typeflag: block[156] === 0 ? '' : String.fromCharCode(block[156]!),
    mode: number('mode', 100, 8),
    size: number('size', 124, 12),
  };
}

/**
 * A numeric header field: octal digits after optional spaces, ended by NUL or space (or the
 * field's end); all blank reads as 0, as older writers leave unused fields empty. A first byte
 * 0x80 or 0xff starts GNU's big-endian base-256 form, 0xff for a negative number. Undefined
 * for anything else, and for numbers past 2^53.
 */
export function readNumber(field: Uint8Array): number | undefined {
  if (field[0] === 0x80 || field[0] === 0xff) {
    const negative = field[0] === 0xff;
    let value = 0;
    for (const byte of field.subarray(1)) value = value * 256 + (negative ? 0xff - byte : byte);
    if (!Number.isSafeInteger(value)) return undefined;
    return negative ? -value - 1 : value;
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let value = 0;
  for (; i < field.length && field[i]! >= 0x30 && field[i]! <= 0x37; i++) {
    value = value * 8 + field[i]! - 0x30;
  }
  for (; i < field.length; i++) if (field[i] !== 0 && field[i] !== 0x20) return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** pax records `<length> <keyword>=<value>\n`, the length counting the whole record. */
function paxRecords(
  data: Uint8Array,
  at: number,
  invalid: (why: string) => never,
): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let start = 0;
  while (start < data.length) {
    const lies = () => invalid(`the pax record at byte ${at + start} has a wrong length`);
    let i = start;
    let length = 0;
    while (i < data.length && data[i]! >= 0x30 && data[i]! <= 0x39 && length <= data.length) {
      length = length * 10 + data[i]! - 0x30;
      i++;
    }
    const end = start + length;
    if (i === start || data[i] !== 0x20 || end > data.length || end <= i + 1) lies();
    if (data[end - 1] !== 0x0a) lies();
    const equals = data.indexOf(0x3d, i + 1);
    if (equals === -1 || equals >= end - 1 || equals === i + 1) {
      invalid(`the pax record at byte ${at + start} has no keyword=value`);
    }
    records.set(ascii(data.subarray(i + 1, equals)), data.subarray(equals + 1, end - 1));
    start = end;
  }
  return records;
}

function paxSize(
  pax: Map<string, Uint8Array> | undefined,
  invalid: (why: string) => never,
): number | undefined {
  const value = nonEmpty(pax?.get('size'));
  if (value === undefined) return undefined;
  const text = ascii(value);
  if (!/^\d{1,15}$/.test(text)) invalid(`the pax size "${text.slice(0, 20)}" is not a number`);
  return Number(text);
}

function decodeName(bytes: Uint8Array, source: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HpvsError(
      'ARCHIVE_REFUSED',
      `${source}: member "${lenientUtf8.decode(bytes)}" has a name that is not UTF-8`,
    );
  }
}

/** The bytes of a field or long name up to its first NUL. */
function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes : bytes.subarray(0, nul);
}

/** An empty pax value means "not set here" (POSIX: it deletes the field). */
function nonEmpty(value: Uint8Array | undefined): Uint8Array | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function ascii(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
