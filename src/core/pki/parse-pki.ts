import { pemBlockDer, pemBlocks } from '../crypto/pem-text.js';
import { HpvsError } from '../errors.js';
import { x509 } from './x509.js';

/** A parsed certificate with the file it came from, so every message can name it. */
export interface SourcedCertificate {
  certificate: x509.X509Certificate;
  source: string;
}

export interface SourcedCrl {
  crl: x509.X509Crl;
  source: string;
}

/**
 * Reads every certificate in a file: one or more PEM `CERTIFICATE` blocks (a bundle), or a
 * single DER certificate as some CAs publish them.
 */
export function parseCertificates(bytes: Uint8Array, source: string): SourcedCertificate[] {
  return parseObjects(bytes, source, ['CERTIFICATE'], 'certificate', (der, name) => ({
    certificate: new x509.X509Certificate(der),
    source: name,
  }));
}

/** Reads every CRL in a file: PEM `X509 CRL` (or `CRL`) blocks, or one DER CRL. */
export function parseCrls(bytes: Uint8Array, source: string): SourcedCrl[] {
  return parseObjects(bytes, source, ['X509 CRL', 'CRL'], 'CRL', (der, name) => ({
    crl: new x509.X509Crl(der),
    source: name,
  }));
}

function parseObjects<T>(
  bytes: Uint8Array,
  source: string,
  labels: string[],
  what: string,
  parse: (der: Buffer, source: string) => T,
): T[] {
  const buffer = Buffer.from(bytes);
  const text = buffer.toString('latin1');
  const blocks = pemBlocks(text);
  const code = what === 'CRL' ? 'CRL_INVALID' : 'CERT_INVALID';
  if (blocks.length === 0) {
    // DER starts with a SEQUENCE tag; anything else is neither PEM nor DER
    if (buffer.length === 0 || buffer[0] !== 0x30) {
      throw new HpvsError(
        'PEM_INVALID',
        `${source}: not a ${what} (expected a PEM "-----BEGIN ${labels[0]}-----" block or DER)`,
      );
    }
    return [parseOne(buffer, source, what, code, parse)];
  }
  const wanted = blocks.filter((block) => labels.includes(block.label));
  if (wanted.length === 0) {
    throw new HpvsError(
      'PEM_INVALID',
      `${source}: found a "${blocks[0]!.label}" PEM block; expected ${labels.map((l) => `"${l}"`).join(' or ')}`,
    );
  }
  return wanted.map((block, index) =>
    parseOne(
      pemBlockDer(block),
      wanted.length > 1 ? `${source}#${index + 1}` : source,
      what,
      code,
      parse,
    ),
  );
}

function parseOne<T>(
  der: Buffer,
  source: string,
  what: string,
  code: 'CRL_INVALID' | 'CERT_INVALID',
  parse: (der: Buffer, source: string) => T,
): T {
  try {
    return parse(der, source);
  } catch (error) {
    throw new HpvsError(code, `${source}: the ${what} cannot be parsed (corrupted?)`, {
      cause: error,
    });
  }
}

interface SerialAsn {
  asn?: { tbsCertificate?: { serialNumber?: ArrayBuffer }; userCertificate?: ArrayBuffer };
}

/**
 * The serial number as the signed integer DER encodes, for comparing a certificate with CRL
 * entries. The library's hex `serialNumber` drops the leading 00 of positive serials, which
 * makes `00 C7...` and the negative `C7...` look alike, so the DER INTEGER bytes are read.
 */
export function serialOf(object: x509.X509Certificate | x509.X509CrlEntry): bigint {
  const asn = (object as unknown as SerialAsn).asn;
  const raw = asn?.tbsCertificate?.serialNumber ?? asn?.userCertificate;
  if (raw === undefined) return BigInt(`0x${object.serialNumber || '0'}`);
  const bytes = Buffer.from(raw);
  if (bytes.length === 0) return 0n;
  return BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
}

/** The serial as openssl prints it: uppercase hex, an even number of digits. */
export function formatSerial(serial: bigint): string {
  const hex = (serial < 0n ? -serial : serial).toString(16).toUpperCase();
  return `${serial < 0n ? '-' : ''}${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}
