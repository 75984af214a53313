import type { RandomSource } from './random-source.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters of 62: about 190 bits, well above what a LUKS passphrase half needs. */
export const VOLUME_SEED_LENGTH = 32;

/**
 * A random volume seed from letters and digits only, a subset of what the runtime accepts, so
 * it survives YAML, shells and copy-paste unquoted. Rejection sampling keeps every character
 * uniform (248 = 4 * 62 is the largest multiple of 62 below 256).
 */
export function generateVolumeSeed(random: RandomSource): string {
  let seed = '';
  while (seed.length < VOLUME_SEED_LENGTH) {
    for (const byte of random(VOLUME_SEED_LENGTH)) {
      if (byte >= 248) continue;
      seed += ALPHABET[byte % ALPHABET.length];
      if (seed.length === VOLUME_SEED_LENGTH) break;
    }
  }
  return seed;
}
