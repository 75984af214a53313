import { HpvsError } from '../errors.js';
import { opensslDecrypt } from './openssl-enc.js';
import { isSectionText } from './section-text.js';

const EMPTY_PASSWORD = new Uint8Array(0);

/**
 * Opens the data part of a section token under the empty password, which is what
 * `openssl enc -pass stdin` used when IBM's recipe drew a random password starting with 0x0A.
 * Such a section is readable by anyone without any key. Returns the plaintext, or undefined
 * when the data does not open.
 *
 * A wrong password still yields valid PKCS#7 padding about once in 256 tries, so the result
 * must also be text (`isSectionText`), as every contract section is.
 */
export function openWithEmptyPassword(encryptedData: Uint8Array): Buffer | undefined {
  let plaintext: Buffer;
  try {
    plaintext = opensslDecrypt(encryptedData, EMPTY_PASSWORD);
  } catch (error) {
    if (error instanceof HpvsError && error.code === 'DECRYPTION_FAILED') return undefined;
    throw error;
  }
  return isSectionText(plaintext) ? plaintext : undefined;
}
