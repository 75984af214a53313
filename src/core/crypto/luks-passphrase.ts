import { createHash } from 'node:crypto';
import { HpvsError } from '../errors.js';

/**
 * The LUKS passphrase the runtime derives for a data volume: lowercase hex of
 * sha256(env seed || workload seed [|| third seed]), the same as
 * `echo -n "$ENV_SEED$WORKLOAD_SEED" | sha256sum`. IBM numbers the seeds, and seed 1 is the
 * Workload Deployer's (env) seed, so the order is env first; swapping them opens nothing.
 * The third seed (HPCS/KMS) is appended after the two; that order is inferred, not documented.
 */
export function deriveLuksPassphrase(
  envSeed: Uint8Array | string,
  workloadSeed: Uint8Array | string,
  thirdSeed?: Uint8Array | string,
): string {
  const parts: [string, Uint8Array | string | undefined][] = [
    ['env seed', envSeed],
    ['workload seed', workloadSeed],
  ];
  if (thirdSeed !== undefined) parts.push(['third seed', thirdSeed]);
  const hash = createHash('sha256');
  for (const [what, seed] of parts) {
    const bytes = typeof seed === 'string' ? Buffer.from(seed, 'utf8') : seed;
    if (bytes === undefined || bytes.length === 0) {
      throw new HpvsError(
        'SECRET_INVALID',
        `the ${what} is empty; the passphrase needs both the env and the workload seed`,
      );
    }
    hash.update(bytes);
  }
  return hash.digest('hex');
}
