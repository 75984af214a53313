import { createHash } from 'node:crypto';

/** The files of a NoCloud seed image, by the names cloud-init looks for. */
export interface SeedFiles {
  'user-data': Uint8Array;
  'meta-data': Uint8Array;
  'network-config'?: Uint8Array | undefined;
}

export const SEED_FILE_NAMES = ['user-data', 'meta-data', 'network-config'] as const;
export type SeedFileName = (typeof SEED_FILE_NAMES)[number];

/** cloud-init's NoCloud datasource finds its seed disk by this volume label. */
export const SEED_VOLUME_ID = 'cidata';

/**
 * cloud-init needs a meta-data file with an instance-id; one derived from the user data keeps
 * the image deterministic, and a changed contract reads as a new instance (cloud-init then runs
 * its per-instance steps again).
 */
export function defaultMetaData(userData: Uint8Array): string {
  const digest = createHash('sha256').update(userData).digest('hex').slice(0, 16);
  return `instance-id: iid-hpvs-${digest}\n`;
}
