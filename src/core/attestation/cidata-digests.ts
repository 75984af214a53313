import { sha256Hex } from './contract-digests.js';

/**
 * What a record says about the seed disk an on-prem instance booted from: the sha256 of the
 * whole image (`/dev/disk/by-label/cidata`) and of each file on it (`cidata/<name>`). The
 * `cidata/user-data` line is the contract's own (contractRecordHashes writes it).
 */
export const CIDATA_DEVICE_NAME = '/dev/disk/by-label/cidata';
export const CIDATA_FILE_NAMES = ['user-data', 'meta-data', 'network-config'] as const;
export type CidataFileName = (typeof CIDATA_FILE_NAMES)[number];

export interface SeedImageContents {
  /** The image's exact bytes. */
  image: Uint8Array;
  /** The files found on it (absent ones are not attested). */
  files: Partial<Record<CidataFileName, Uint8Array>>;
}

export function cidataFileRecordName(name: CidataFileName): string {
  return `cidata/${name}`;
}

/** The device line first, then the files other than user-data, in the order listed above. */
export function cidataRecordHashes(seed: SeedImageContents): { sha256: string; name: string }[] {
  const hashes = [{ sha256: sha256Hex(seed.image), name: CIDATA_DEVICE_NAME }];
  for (const name of CIDATA_FILE_NAMES) {
    const data = seed.files[name];
    if (name !== 'user-data' && data !== undefined) {
      hashes.push({ sha256: sha256Hex(data), name: cidataFileRecordName(name) });
    }
  }
  return hashes;
}
