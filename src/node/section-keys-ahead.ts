import { pbkdf2 } from 'node:crypto';
import type { RandomSource } from '../core/crypto/random-source.js';
import {
  drawSectionSecret,
  OPENSSL_DERIVED_LENGTH,
  OPENSSL_PBKDF2_ITERATIONS,
  sectionKeysFrom,
  splitDerivedKey,
  type SectionKey,
  type SectionKeySource,
} from '../core/crypto/section-key.js';

/**
 * Starts deriving `count` section keys on libuv's threads (PBKDF2 with 10000 iterations, about
 * 6 ms each), so that a command which reads, parses and checks its sections meanwhile finds
 * them ready when it encrypts: for one contract, the two derivations leave the main thread's
 * path. The source hands each key out once, then derives further ones itself. Never rejects:
 * a failed derivation leaves the keys to be derived when asked.
 */
export function deriveSectionKeysAhead(
  count: number,
  random: RandomSource,
): Promise<SectionKeySource> {
  const fallback = sectionKeysFrom(random);
  const derivations = Array.from({ length: count }, () => {
    const secret = drawSectionSecret(random);
    return new Promise<SectionKey>((resolve, reject) =>
      pbkdf2(
        secret.password,
        secret.salt,
        OPENSSL_PBKDF2_ITERATIONS,
        OPENSSL_DERIVED_LENGTH,
        'sha256',
        (error, material) => (error ? reject(error) : resolve(splitDerivedKey(secret, material))),
      ),
    );
  });
  return Promise.all(derivations).then(
    (keys) => () => keys.shift() ?? fallback(),
    () => fallback,
  );
}
