import type { KeyObject } from 'node:crypto';
import { decryptionFailed } from '../errors.js';
import { opensslDecrypt, opensslEncryptWithKey } from './openssl-enc.js';
import type { RandomSource } from './random-source.js';
import { rsaEncryptPkcs1v15, rsaUnwrapPkcs1v15 } from './rsa-pkcs1-v15.js';
import { deriveSectionKey, drawSectionSecret, type SectionKey } from './section-key.js';
import { generateSectionPassword, opensslPasswordView } from './section-password.js';
import { formatSectionToken, parseSectionToken, type TokenPrefix } from './section-token.js';

/**
 * Encrypts a section's exact bytes for the holder of the private key matching `publicKey`,
 * producing the one-line token the runtime reads. `sectionKey`, when given, is a fresh key
 * derived ahead (never one used for another section); otherwise one is drawn from `random`.
 */
export function encryptSection(
  plaintext: Uint8Array,
  publicKey: KeyObject,
  random: RandomSource,
  prefix: TokenPrefix = 'hyper-protect-basic',
  sectionKey: SectionKey = deriveSectionKey(drawSectionSecret(random)),
): string {
  return formatSectionToken({
    prefix,
    wrappedPassword: rsaEncryptPkcs1v15(publicKey, sectionKey.password, random),
    encryptedData: opensslEncryptWithKey(plaintext, sectionKey),
  });
}

/**
 * Opens a token and returns the exact plaintext bytes. The unwrapped password is cut like
 * `openssl enc -pass stdin` cuts it, so sections made by the documented recipe open too.
 *
 * A wrapped password whose RSA padding is bad does not end the work early: a random password
 * of the same shape (drawn from `random` on every call) goes through the same PBKDF2, AES-CBC
 * and padding check, and only then is the one generic error thrown. Otherwise a padding
 * failure would answer in a tenth of the time, a Bleichenbacher oracle.
 */
export function decryptSection(token: string, privateKey: KeyObject, random: RandomSource): Buffer {
  const parsed = parseSectionToken(token);
  const substitute = generateSectionPassword(random);
  const password = rsaUnwrapPkcs1v15(privateKey, parsed.wrappedPassword, substitute);
  const plaintext = opensslDecrypt(parsed.encryptedData, opensslPasswordView(password.message));
  // with the substitute, AES still finds a valid padding about once in 256 tries
  if (!password.valid) throw decryptionFailed();
  return plaintext;
}
