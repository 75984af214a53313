import { input, worded } from '../wording.js';
import { firstPemBlock } from './pem-text.js';
import { isStrictBase64 } from './strict-base64.js';
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';

/**
 * Parsing of PEM keys and certificates into node:crypto objects, with errors that name the
 * source and say what was expected. Pure: bytes in, objects out.
 */

export interface PublicKeyMaterial {
  publicKey: KeyObject;
  /** Present when the input was an X.509 certificate rather than a bare public key. */
  certificate?: X509Certificate;
}

/** Returns the PEM text, also accepting base64 of a PEM (the contract allows both forms). */
export function pemText(bytes: Uint8Array | string, source: string): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  if (firstPemBlock(text) !== undefined) return text;
  const compact = text.replace(/\s+/g, '');
  if (compact !== '' && isStrictBase64(compact)) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8');
    if (firstPemBlock(decoded) !== undefined) return decoded;
  }
  throw new HpvsError(
    'PEM_INVALID',
    `${source}: not a PEM file (expected a "-----BEGIN ...-----" block)`,
  );
}

function pemLabel(text: string): string {
  return firstPemBlock(text)!.label;
}

function requireRsa(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new HpvsError(
      'KEY_UNSUPPORTED',
      `${source}: ${key.asymmetricKeyType?.toUpperCase() ?? 'unknown'} key; hpvs-ctl needs an RSA key`,
    );
  }
  return key;
}

export function parsePublicKeyOrCertificate(
  bytes: Uint8Array | string,
  source: string,
): PublicKeyMaterial {
  const text = pemText(bytes, source);
  const label = pemLabel(text);
  if (label === 'CERTIFICATE') {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(text);
    } catch (error) {
      throw new HpvsError('CERT_INVALID', `${source}: the certificate cannot be parsed`, {
        cause: error,
      });
    }
    return { publicKey: requireRsa(certificate.publicKey, source), certificate };
  }
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') {
    try {
      return { publicKey: requireRsa(createPublicKey(text), source) };
    } catch (error) {
      if (error instanceof HpvsError) throw error;
      throw new HpvsError('KEY_INVALID', `${source}: the public key cannot be parsed`, {
        cause: error,
      });
    }
  }
  if (label.includes('PRIVATE KEY')) {
    throw new HpvsError(
      'KEY_INVALID',
      `${source}: this is a private key; give the certificate or public key instead`,
    );
  }
  throw new HpvsError(
    'PEM_INVALID',
    `${source}: found a "${label}" PEM block; expected a CERTIFICATE or PUBLIC KEY`,
  );
}

export function parsePrivateKey(
  bytes: Uint8Array | string,
  source: string,
  passphrase?: Uint8Array,
): KeyObject {
  const text = pemText(bytes, source);
  const label = pemLabel(text);
  if (!label.includes('PRIVATE KEY')) {
    throw new HpvsError(
      'KEY_INVALID',
      `${source}: found a "${label}" PEM block; expected a PRIVATE KEY`,
    );
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new HpvsError(
      'KEY_PASSPHRASE',
      worded`${source}: the private key is passphrase-protected; ${input('private-key-passphrase')}`,
    );
  }
  try {
    const key = createPrivateKey(
      encrypted ? { key: text, passphrase: Buffer.from(passphrase!) } : { key: text },
    );
    return requireRsa(key, source);
  } catch (error) {
    if (error instanceof HpvsError) throw error;
    if (encrypted) {
      throw new HpvsError(
        'KEY_PASSPHRASE',
        `${source}: cannot unlock the private key; check the passphrase`,
        { cause: error },
      );
    }
    throw new HpvsError('KEY_INVALID', `${source}: the private key cannot be parsed`, {
      cause: error,
    });
  }
}

/** Why a certificate is outside its validity window at `now`, naming both dates; else undefined. */
export function certificateWindowProblem(
  certificate: X509Certificate,
  now: Date,
  source: string,
): HpvsError | undefined {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  const window = `valid ${notBefore.toISOString()} to ${notAfter.toISOString()}`;
  if (now < notBefore) {
    return new HpvsError(
      'CERT_NOT_YET_VALID',
      `${source}: certificate is not valid until ${notBefore.toISOString()} (${window})`,
    );
  }
  if (now > notAfter) {
    return new HpvsError(
      'CERT_EXPIRED',
      `${source}: certificate expired on ${notAfter.toISOString()} (${window})`,
    );
  }
  return undefined;
}

/** Refuses a certificate to encrypt for outside its validity window at `now`. */
export function assertCertificateCurrent(
  certificate: X509Certificate,
  now: Date,
  source: string,
): void {
  const problem = certificateWindowProblem(certificate, now, source);
  if (problem !== undefined) {
    throw new HpvsError(problem.code, worded`${problem}; ${input('allow-expired')}`);
  }
}
