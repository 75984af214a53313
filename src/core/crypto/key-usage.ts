import type { X509Certificate } from 'node:crypto';
import { HpvsError } from '../errors.js';

/**
 * A certificate's keyUsage extension (RFC 5280 4.2.1.3). node:crypto parses certificates but
 * does not expose these bits (its `keyUsage` is the extended key usage), so the extension is
 * read from the DER here: a short walk over a structure node has already parsed.
 */

/** The bit names, in bit order. */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsageBit = (typeof KEY_USAGE_BITS)[number];

const KEY_USAGE_OID = Buffer.from([0x55, 0x1d, 0x0f]); // 2.5.29.15
const TAG = { sequence: 0x30, oid: 0x06, octetString: 0x04, bitString: 0x03, extensions: 0xa3 };

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new RangeError('truncated DER');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new RangeError('bad DER length');
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + der[start + index]!;
    start += count;
  }
  if (start + length > limit) throw new RangeError('DER length past its container');
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const item = readTlv(der, offset, parent.end);
    items.push(item);
    offset = item.end;
  }
  return items;
}

/** The keyUsage bits that are set, or undefined when the certificate has no keyUsage extension. */
export function keyUsageOf(
  certificate: X509Certificate,
  source: string,
): Set<KeyUsageBit> | undefined {
  const der = certificate.raw;
  try {
    const outer = readTlv(der, 0, der.length);
    const tbs = children(der, outer)[0];
    if (tbs === undefined || tbs.tag !== TAG.sequence) throw new RangeError('no tbsCertificate');
    const wrapper = children(der, tbs).find((item) => item.tag === TAG.extensions);
    if (wrapper === undefined) return undefined;
    const list = children(der, wrapper)[0];
    if (list === undefined || list.tag !== TAG.sequence) throw new RangeError('bad extensions');
    for (const extension of children(der, list)) {
      const parts = children(der, extension);
      const oid = parts[0];
      if (oid?.tag !== TAG.oid || !der.subarray(oid.start, oid.end).equals(KEY_USAGE_OID)) continue;
      const value = parts.at(-1)!;
      if (value.tag !== TAG.octetString)
        throw new RangeError('keyUsage value is not an OCTET STRING');
      const bits = readTlv(der, value.start, value.end);
      if (bits.tag !== TAG.bitString || bits.end - bits.start < 1) {
        throw new RangeError('keyUsage is not a BIT STRING');
      }
      const set = new Set<KeyUsageBit>();
      for (const [index, name] of KEY_USAGE_BITS.entries()) {
        const byte = der[bits.start + 1 + Math.floor(index / 8)];
        if (bits.start + 1 + Math.floor(index / 8) < bits.end && byte! & (0x80 >> (index % 8))) {
          set.add(name);
        }
      }
      return set;
    }
    return undefined;
  } catch (error) {
    throw new HpvsError('CERT_INVALID', `${source}: the certificate's extensions cannot be read`, {
      cause: error,
    });
  }
}
