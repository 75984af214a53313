import type { RandomSource } from './random-source.js';

/** Length of the passwords hpvs-ctl generates, as in IBM's recipe (`openssl rand 32`). */
export const SECTION_PASSWORD_LENGTH = 32;

/**
 * Bytes a generated password must never contain. `openssl enc -pass stdin` stops reading the
 * password at the first 0x0A (and C strings end at 0x00), so the documented recipe's raw random
 * passwords are often silently shortened, and empty when the first byte is 0x0A. 0x0D is
 * excluded too because some readers strip a trailing carriage return.
 */
const FORBIDDEN = new Set([0x00, 0x0a, 0x0d]);

/**
 * Draws a password by rejection sampling, so each byte stays uniform over the 253 allowed
 * values. All 32 bytes are then used verbatim by every reader.
 */
export function generateSectionPassword(random: RandomSource): Uint8Array {
  const password = new Uint8Array(SECTION_PASSWORD_LENGTH);
  let filled = 0;
  while (filled < SECTION_PASSWORD_LENGTH) {
    for (const byte of random(SECTION_PASSWORD_LENGTH - filled + 8)) {
      if (FORBIDDEN.has(byte)) continue;
      password[filled++] = byte;
      if (filled === SECTION_PASSWORD_LENGTH) break;
    }
  }
  return password;
}

/**
 * The password as `openssl enc -pass stdin` sees it: only the bytes before the first 0x0A or
 * 0x00. Sections written by the documented openssl recipe only open with this view.
 */
export function opensslPasswordView(password: Uint8Array): Uint8Array {
  const end = password.findIndex((byte) => byte === 0x0a || byte === 0x00);
  return end === -1 ? password : password.subarray(0, end);
}
