import type { KeyObject } from 'node:crypto';
import { opensslDecrypt, opensslEncrypt, OPENSSL_SALT_LENGTH } from './openssl-enc.js';
import type { RandomSource } from './random-source.js';
import { rsaDecryptPkcs1v15, rsaEncryptPkcs1v15 } from './rsa-pkcs1-v15.js';
import { generateSectionPassword, opensslPasswordView } from './section-password.js';
import { formatSectionToken, parseSectionToken, type TokenPrefix } from './section-token.js';

/**
 * Encrypts a section's exact bytes for the holder of the private key matching `publicKey`,
 * producing the one-line token the runtime reads.
 */
export function encryptSection(
  plaintext: Uint8Array,
  publicKey: KeyObject,
  random: RandomSource,
  prefix: TokenPrefix = 'hyper-protect-basic',
): string {
  const password = generateSectionPassword(random);
  const salt = random(OPENSSL_SALT_LENGTH);
  return formatSectionToken({
    prefix,
    wrappedPassword: rsaEncryptPkcs1v15(publicKey, password, random),
    encryptedData: opensslEncrypt(plaintext, password, salt),
  });
}

/**
 * Opens a token and returns the exact plaintext bytes. The unwrapped password is cut like
 * `openssl enc -pass stdin` cuts it, so sections made by the documented recipe open too.
 */
export function decryptSection(token: string, privateKey: KeyObject): Buffer {
  const parsed = parseSectionToken(token);
  const password = rsaDecryptPkcs1v15(privateKey, parsed.wrappedPassword);
  return opensslDecrypt(parsed.encryptedData, opensslPasswordView(password));
}
