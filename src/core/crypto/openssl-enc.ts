import { createCipheriv, createDecipheriv } from 'node:crypto';
import { decryptionFailed } from '../errors.js';
import { deriveSectionKey, OPENSSL_SALT_LENGTH, type SectionKey } from './section-key.js';

/**
 * The byte format of `openssl enc -aes-256-cbc -pbkdf2`: the magic `Salted__`, an 8-byte salt,
 * then AES-256-CBC with PKCS#7 padding under a key and IV taken from
 * PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 48 bytes).
 */
export const OPENSSL_MAGIC = Buffer.from('Salted__', 'latin1');
const HEADER_LENGTH = OPENSSL_MAGIC.length + OPENSSL_SALT_LENGTH;
const AES_BLOCK = 16;

export function opensslEncrypt(
  plaintext: Uint8Array,
  password: Uint8Array,
  salt: Uint8Array,
): Buffer {
  return opensslEncryptWithKey(plaintext, deriveSectionKey({ password, salt }));
}

/** `opensslEncrypt` with the key and IV already derived from the password and salt. */
export function opensslEncryptWithKey(plaintext: Uint8Array, sectionKey: SectionKey): Buffer {
  const { salt, key, iv } = sectionKey;
  if (salt.length !== OPENSSL_SALT_LENGTH) {
    throw new RangeError(`salt must be ${OPENSSL_SALT_LENGTH} bytes`);
  }
  return Buffer.concat([OPENSSL_MAGIC, salt, aes256CbcEncrypt(plaintext, key, iv)]);
}

/** Opens the format; any failure is the one generic decryption error. */
export function opensslDecrypt(data: Uint8Array, password: Uint8Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bodyLength = bytes.length - HEADER_LENGTH;
  if (
    bodyLength < AES_BLOCK ||
    bodyLength % AES_BLOCK !== 0 ||
    !bytes.subarray(0, OPENSSL_MAGIC.length).equals(OPENSSL_MAGIC)
  ) {
    throw decryptionFailed();
  }
  const salt = bytes.subarray(OPENSSL_MAGIC.length, HEADER_LENGTH);
  const { key, iv } = deriveSectionKey({ password, salt });
  return aes256CbcDecrypt(bytes.subarray(HEADER_LENGTH), key, iv);
}

/** AES-256-CBC with PKCS#7 padding under an explicit key and IV: the layer below the format. */
export function aes256CbcEncrypt(plaintext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** The inverse of `aes256CbcEncrypt`; a bad length or padding is the generic decryption error. */
export function aes256CbcDecrypt(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK !== 0) throw decryptionFailed();
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw decryptionFailed(error);
  }
}
