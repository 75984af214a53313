import { createCipheriv, createHash } from 'node:crypto';
import type { RandomSource } from '../../src/core/crypto/random-source.js';

/**
 * A reproducible RandomSource: the AES-256-CTR keystream under a key derived from `seed`.
 * Tests use it so that every generated case, and so every failure, can be replayed.
 */
export function seededRandom(seed: string): RandomSource & { int(max: number): number } {
  const key = createHash('sha256').update(seed).digest();
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const random = (length: number): Uint8Array =>
    new Uint8Array(stream.update(Buffer.alloc(length)));
  /** A uniform integer in [0, max), by rejection so small ranges are not biased either. */
  const int = (max: number): number => {
    const limit = Math.floor(2 ** 32 / max) * max;
    for (;;) {
      const value = Buffer.from(random(4)).readUInt32BE(0);
      if (value < limit) return value % max;
    }
  };
  return Object.assign(random, { int });
}
