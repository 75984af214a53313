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
  const k = rsaModulusBytes(privateKey);
  if (ciphertext.length !== k) throw decryptionFailed();
  let block: Buffer;
  try {
    block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch (error) {
    throw decryptionFailed(error);
  }
  if (block.length !== k) throw decryptionFailed();
  const start = findMessageStart(block);
  if (start < 0) throw decryptionFailed();
  return block.subarray(start);
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
