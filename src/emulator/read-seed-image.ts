import { HpvsError } from '../core/errors.js';
import { extractSeedImage } from '../node/build-seed-image.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readInput } from '../node/read-input.js';

/** A NoCloud seed image's bytes and files; one without user-data cannot boot. */
export async function readSeedImage(path: string) {
  const image = await readInput(path, 'seed image', INPUT_LIMITS.seedImage);
  const files = await extractSeedImage(image, path);
  if (files['user-data'] === undefined) {
    throw new HpvsError('CIDATA_INVALID', `${path}: the seed image has no user-data file`);
  }
  if (files['user-data'].length > INPUT_LIMITS.userData.bytes) {
    throw new HpvsError(
      'INPUT_TOO_LARGE',
      `${path}: its user-data is larger than user data may be`,
    );
  }
  return { image, files };
}
