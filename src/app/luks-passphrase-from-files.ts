import { deriveLuksPassphrase } from '../core/crypto/luks-passphrase.js';
import { PATTERNS, SEED_CHARACTERS } from '../core/schema/contract-schema.js';
import type { InputReaders } from './input-readers.js';

const SEED = new RegExp(PATTERNS.seed, 'u');

export interface LuksPassphraseRequest {
  /** The env volume seed (Workload Deployer's; hashed first). */
  envSeedFile: string;
  workloadSeedFile: string;
  thirdSeedFile?: string | undefined;
}

/**
 * The LUKS passphrase the runtime derives for a data volume from the seed files, with a warning
 * for each seed the runtime would refuse (it derives nothing from those).
 */
export async function luksPassphraseFromFiles(
  request: LuksPassphraseRequest,
  read: Pick<InputReaders, 'secret'>,
): Promise<{ passphrase: string; warnings: string[] }> {
  const envSeed = await read.secret(request.envSeedFile, 'env volume seed');
  const workloadSeed = await read.secret(request.workloadSeedFile, 'workload volume seed');
  const thirdSeed =
    request.thirdSeedFile === undefined
      ? undefined
      : await read.secret(request.thirdSeedFile, 'third seed');
  const seeds: [string, Uint8Array][] = [
    [request.envSeedFile, envSeed],
    [request.workloadSeedFile, workloadSeed],
  ];
  const warnings = seeds
    .filter(([, seed]) => !SEED.test(Buffer.from(seed).toString('utf8')))
    .map(
      ([file]) =>
        `${file}: the runtime refuses seeds shorter than 15 characters or outside ${SEED_CHARACTERS}`,
    );
  return { passphrase: deriveLuksPassphrase(envSeed, workloadSeed, thirdSeed), warnings };
}
