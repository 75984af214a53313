import { pbkdf2Sync } from 'node:crypto';
import type { RandomSource } from './random-source.js';
import { generateSectionPassword } from './section-password.js';

/**
 * The secret of one encrypted section (`openssl enc -aes-256-cbc -pbkdf2`): the password that
 * is wrapped for the runtime, the salt written after `Salted__`, and the AES-256 key and IV
 * PBKDF2-HMAC-SHA256 derives from the two with 10000 iterations. Deriving is the costly part
 * (about 6 ms), so a caller may derive keys ahead, on other threads, while it reads and checks
 * its inputs (src/node/section-keys-ahead.ts).
 */
export interface SectionKey {
  password: Uint8Array;
  salt: Uint8Array;
  key: Uint8Array;
  iv: Uint8Array;
}

export const OPENSSL_SALT_LENGTH = 8;
export const OPENSSL_PBKDF2_ITERATIONS = 10_000;
/** 32 key bytes, then 16 IV bytes. */
export const OPENSSL_DERIVED_LENGTH = 48;

/** Where the next section's key comes from (a fresh one each call). */
export type SectionKeySource = () => SectionKey;

/** A new password and salt from `random`, before the derivation. */
export function drawSectionSecret(random: RandomSource): {
  password: Uint8Array;
  salt: Uint8Array;
} {
  return { password: generateSectionPassword(random), salt: random(OPENSSL_SALT_LENGTH) };
}

/** The key and IV of a password and salt, as `openssl enc -pbkdf2` derives them. */
export function splitDerivedKey(
  secret: { password: Uint8Array; salt: Uint8Array },
  material: Uint8Array,
): SectionKey {
  return { ...secret, key: material.subarray(0, 32), iv: material.subarray(32, 48) };
}

export function deriveSectionKey(secret: { password: Uint8Array; salt: Uint8Array }): SectionKey {
  return splitDerivedKey(
    secret,
    pbkdf2Sync(
      secret.password,
      secret.salt,
      OPENSSL_PBKDF2_ITERATIONS,
      OPENSSL_DERIVED_LENGTH,
      'sha256',
    ),
  );
}

/** Fresh keys drawn from `random` and derived here, one per call. */
export function sectionKeysFrom(random: RandomSource): SectionKeySource {
  return () => deriveSectionKey(drawSectionSecret(random));
}
