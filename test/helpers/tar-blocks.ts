/**
 * Tar blocks written by hand, so tests can hold what no tar program writes: wrong checksums,
 * sizes past the end, pax records whose length lies, base-256 numbers.
 */
export interface HeaderFields {
  name: string | Uint8Array;
  size?: number;
  /** One character; "" writes the NUL of old archives. */
  typeflag?: string;
  mode?: number;
  linkname?: string;
  prefix?: string;
  /** The magic and version: POSIX ustar (default), GNU tar's, or none (v7). */
  format?: 'ustar' | 'gnu' | 'v7';
  /** The 12 bytes of the size field as written, instead of octal `size`. */
  sizeField?: Uint8Array;
  /** Added to the checksum written, to make it wrong. */
  checksumDelta?: number;
  /** Write the sum of the bytes taken as signed (old tar programs did). */
  signedChecksum?: boolean;
}

const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;

export function tarHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(512);
  Buffer.from(fields.name).copy(block, 0, 0, 100);
  block.write(octal(fields.mode ?? 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  if (fields.sizeField !== undefined) Buffer.from(fields.sizeField).copy(block, 124, 0, 12);
  else block.write(octal(fields.size ?? 0, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  const typeflag = fields.typeflag ?? '0';
  block[156] = typeflag === '' ? 0 : typeflag.charCodeAt(0);
  block.write(fields.linkname ?? '', 157, 100, 'utf8');
  const format = fields.format ?? 'ustar';
  if (format === 'ustar') block.write('ustar\x0000', 257, 'latin1');
  if (format === 'gnu') block.write('ustar  \0', 257, 'latin1');
  if (fields.prefix !== undefined) block.write(fields.prefix, 345, 155, 'utf8');
  return sealHeader(block, fields);
}

/** Writes the header's checksum (again, after a test changed its bytes). */
export function sealHeader(
  block: Buffer,
  { checksumDelta = 0, signedChecksum = false }: Partial<HeaderFields> = {},
): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += signedChecksum && byte >= 0x80 ? byte - 0x100 : byte;
  block.write(`${(sum + checksumDelta).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** The data padded to whole blocks. */
export function tarData(data: Uint8Array | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
}

/** A header and its data; `size` defaults to the data's length. */
export function tarMember(fields: HeaderFields, data: Uint8Array | string = ''): Buffer {
  return Buffer.concat([tarHeader({ size: Buffer.from(data).length, ...fields }), tarData(data)]);
}

/** One pax record `<length> <key>=<value>\n` whose length counts itself. */
export function paxRecord(key: string, value: string | Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let length = body.length + 1;
  while (`${length}`.length + body.length !== length) length = `${length}`.length + body.length;
  return Buffer.concat([Buffer.from(`${length}`), body]);
}

/** A pax extended header (`x`, or `g` for a global one) with its records as data. */
export function paxHeader(records: Uint8Array, typeflag: 'x' | 'g' = 'x'): Buffer {
  return tarMember({ name: 'PaxHeaders/member', typeflag }, records);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

/** The big-endian base-256 form GNU tar writes for numbers too large for octal. */
export function base256(value: bigint, length = 12): Uint8Array {
  const bytes = new Uint8Array(length);
  let rest = value < 0n ? (1n << BigInt(8 * length)) + value : value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  bytes[0] = value < 0n ? 0xff : 0x80;
  return bytes;
}
