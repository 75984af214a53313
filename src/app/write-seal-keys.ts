import { generateSealKeyFiles, SEAL_KEY_FILES } from '../core/ccco/seal-key-files.js';
import { refuseExisting, writeFileSet } from '../node/write-file-set.js';

/**
 * Generates the two RSA key pairs of a contract's confidential-containers.secret and writes
 * them into `outDir`, all or none; returns the paths written.
 */
export async function writeSealKeys(outDir: string, force: boolean): Promise<string[]> {
  // refused before the keys are generated, which takes a while
  if (!force) await refuseExisting(outDir, Object.values(SEAL_KEY_FILES));
  return writeFileSet(outDir, await generateSealKeyFiles(), { force });
}
