import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { decryptionFailed, HpvsError } from '../errors.js';
import type { RandomSource } from './random-source.js';

/**
 * RSAES-PKCS1-v1_5 (RFC 8017 section 7.2) built on the raw RSA primitive.
 *
 * Node 20.20 refuses `privateDecrypt` with PKCS#1 v1.5 padding (the CVE-2023-46809 guard), so
 * decryption runs the raw primitive and checks the padding here, strictly and without
 * branching on secret bytes. Encryption pads here too, which lets the caller supply the
 * randomness and keeps the core reproducible in tests.
 */

const MIN_PADDING_LENGTH = 8;

export function rsaModulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || bits === undefined) {
    throw new HpvsError('KEY_UNSUPPORTED', `expected an RSA key, got ${key.asymmetricKeyType}`);
  }
  return Math.ceil(bits / 8);
}

export function rsaEncryptPkcs1v15(
  publicKey: KeyObject,
  message: Uint8Array,
  random: RandomSource,
): Buffer {
  const k = rsaModulusBytes(publicKey);
  const paddingLength = k - message.length - 3;
  if (paddingLength < MIN_PADDING_LENGTH) {
    throw new RangeError(`message too long for a ${k * 8}-bit RSA key`);
  }
  const block = Buffer.alloc(k);
  block[1] = 0x02;
  let filled = 0;
  while (filled < paddingLength) {
    for (const byte of random(paddingLength - filled + 16)) {
      if (byte === 0) continue;
      block[2 + filled++] = byte;
      if (filled === paddingLength) break;
    }
  }
  block.set(message, 3 + paddingLength);
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, block);
}

/** Decrypts and removes the padding; any failure is the one generic decryption error. */
export function rsaDecryptPkcs1v15(privateKey: KeyObject, ciphertext: Uint8Array): Buffer {
  const unwrapped = rsaUnwrapPkcs1v15(privateKey, ciphertext, new Uint8Array(0));
  if (!unwrapped.valid) throw decryptionFailed();
  return unwrapped.message;
}

export interface UnwrappedMessage {
  /** The message when `valid`, else the caller's substitute. */
  message: Buffer;
  valid: boolean;
}

/**
 * Decrypts and removes the padding without failing: a ciphertext that does not decrypt to a
 * well-formed block yields `substitute` and `valid: false`. A caller that goes on to use either
 * message the same way (the section password: PBKDF2 and AES run in both cases) does the same
 * work for a bad padding as for a good one, so the time it takes is no padding oracle
 * (Bleichenbacher). Only a wrong key size (`KEY_UNSUPPORTED`) still throws: that is about the
 * key, not the ciphertext.
 */
export function rsaUnwrapPkcs1v15(
  privateKey: KeyObject,
  ciphertext: Uint8Array,
  substitute: Uint8Array,
): UnwrappedMessage {
  const k = rsaModulusBytes(privateKey);
  let block: Buffer;
  try {
    // a ciphertext of the wrong length runs the primitive on zeros instead, so it costs the
    // same private-key operation; one not below the modulus is refused by the primitive, which
    // tells nothing secret (the modulus is public)
    const input = ciphertext.length === k ? ciphertext : new Uint8Array(k);
    block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, input);
    if (ciphertext.length !== k) block = Buffer.alloc(k);
  } catch {
    block = Buffer.alloc(k);
  }
  const start = block.length === k ? findMessageStart(block) : -1;
  return start < 0
    ? { message: Buffer.from(substitute), valid: false }
    : { message: block.subarray(start), valid: true };
}

/**
 * Returns the index where the message starts in `00 02 PS 00 M`, or -1 when the block is not
 * well formed (PS shorter than 8 bytes, no separator, wrong header). It looks at every byte
 * whatever it finds, so its running time says little about where the padding broke.
 */
function findMessageStart(block: Uint8Array): number {
  let bad = block[0]! | (block[1]! ^ 0x02);
  let separator = 0;
  let lookingForSeparator = 1;
  for (let i = 2; i < block.length; i++) {
    const isZero = ((block[i]! - 1) >>> 31) & 1;
    separator |= i * (isZero & lookingForSeparator);
    lookingForSeparator &= isZero ^ 1;
  }
  bad |= lookingForSeparator;
  bad |= separator < 2 + MIN_PADDING_LENGTH ? 1 : 0;
  return bad === 0 ? separator + 1 : -1;
}
