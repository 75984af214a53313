import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../core/crypto/random-source.js';

/** The operating system's CSPRNG, the only randomness the core ever receives in production. */
export const systemRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));
