import { sign, verify, type KeyObject } from 'node:crypto';
import { rsaModulusBytes } from '../crypto/rsa-pkcs1-v15.js';
import { decryptSection } from '../crypto/encrypt-section.js';
import type { RandomSource } from '../crypto/random-source.js';

/**
 * `se-signature.bin`: RSASSA-PKCS1-v1_5 with SHA-256 over the exact bytes of the decrypted
 * `se-checksums.txt`, nothing trimmed (the 25.11.0 sample has no final newline, and one added
 * newline must break the signature).
 */
export function signRecord(recordBytes: Uint8Array, attestationKey: KeyObject): Buffer {
  return sign('sha256', recordBytes, attestationKey);
}

export interface SignatureVerdict {
  valid: boolean;
  detail: string;
}

/**
 * Checks the record signature. A signature whose length does not match the key fails with its
 * own reason (truncated, or made by a key of another size): saying so helps more than a plain
 * "does not verify", and it is a verdict like any other, so every other check is still reported.
 */
export function verifyRecordSignature(
  recordBytes: Uint8Array,
  signature: Uint8Array,
  attestationKey: KeyObject,
  sources: { signature: string; certificate: string },
): SignatureVerdict {
  const expected = rsaModulusBytes(attestationKey);
  if (signature.length !== expected) {
    return {
      valid: false,
      detail: `${sources.signature}: ${signature.length} bytes, but a signature by the ${expected * 8}-bit key of ${sources.certificate} has ${expected}: the file is truncated or was made by another key`,
    };
  }
  let valid: boolean;
  try {
    valid = verify('sha256', recordBytes, attestationKey, signature);
  } catch {
    valid = false;
  }
  return valid
    ? {
        valid,
        detail: `RSA PKCS#1 v1.5 SHA-256 signature over the ${recordBytes.length} record bytes verifies with the key of ${sources.certificate}`,
      }
    : {
        valid,
        detail: `${sources.signature} does not verify over the ${recordBytes.length} record bytes with the key of ${sources.certificate}: the record was altered, or the signature or certificate belongs to another record`,
      };
}

/**
 * Opens `se-checksums.txt.enc` (the section-3 token, encrypted to the auditor's
 * attestationPublicKey); a trailing newline after the token is fine.
 */
export function decryptRecord(
  token: Uint8Array | string,
  auditorKey: KeyObject,
  random: RandomSource,
): Buffer {
  const text = typeof token === 'string' ? token : Buffer.from(token).toString('latin1');
  return decryptSection(text, auditorKey, random);
}
