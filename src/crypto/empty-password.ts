import { HpvsError } from '../errors.js';
import { opensslDecrypt } from './openssl-enc.js';

const EMPTY_PASSWORD = new Uint8Array(0);

/**
 * Opens the data part of a section token under the empty password, which is what
 * `openssl enc -pass stdin` used when IBM's recipe drew a random password starting with 0x0A.
 * Such a section is readable by anyone without any key. Returns the plaintext, or undefined
 * when the data does not open.
 *
 * A wrong password still yields valid PKCS#7 padding about once in 256 tries, so the result
 * must also be text (UTF-8 without control characters other than tab and line breaks), as
 * every contract section is; random bytes pass that test with negligible probability.
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

function isSectionText(bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
