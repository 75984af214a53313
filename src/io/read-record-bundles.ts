import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchBundle } from '../attestation/verify-batch.js';
import { HpvsError } from '../errors.js';
import { INPUT_LIMITS } from './input-limits.js';
import { fileError, readInput } from './read-input.js';

/** The files the runtime writes to /var/hyperprotect/, as an auditor collects them. */
const RECORD_NAMES = ['se-checksums.txt.enc', 'se-checksums.txt'];
const SIGNATURE_NAME = 'se-signature.bin';
const CONTRACT_NAME = 'user-data.yaml';

/**
 * Reads `DIR/<instance>/` folders, one record bundle each. A folder that lacks a file becomes a
 * failed bundle naming what is missing, so one bad folder does not stop the others.
 */
export async function readRecordBundles(dir: string): Promise<BatchBundle[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw fileError(dir, 'batch folder', error);
  }
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  if (folders.length === 0) {
    throw new HpvsError(
      'FILE_NOT_FOUND',
      `${dir}: no bundle folders; expect one sub-folder per instance holding se-checksums.txt[.enc] and se-signature.bin`,
    );
  }
  return Promise.all(folders.map((name) => readBundle(join(dir, name), name)));
}

async function readBundle(folder: string, name: string): Promise<BatchBundle> {
  const present = new Set(await readdir(folder));
  const recordName = RECORD_NAMES.find((candidate) => present.has(candidate));
  const missing = [
    ...(recordName ? [] : ['se-checksums.txt[.enc]']),
    ...(present.has(SIGNATURE_NAME) ? [] : [SIGNATURE_NAME]),
  ];
  if (missing.length > 0) {
    return {
      name,
      error: new HpvsError('FILE_NOT_FOUND', `${folder}: missing ${missing.join(' and ')}`),
    };
  }
  try {
    const recordPath = join(folder, recordName!);
    const signaturePath = join(folder, SIGNATURE_NAME);
    const contractPath = join(folder, CONTRACT_NAME);
    return {
      name,
      files: {
        record: {
          bytes: await readInput(recordPath, 'attestation record', INPUT_LIMITS.record),
          source: recordPath,
        },
        signature: {
          bytes: await readInput(signaturePath, 'signature', INPUT_LIMITS.signature),
          source: signaturePath,
        },
        contract: present.has(CONTRACT_NAME)
          ? {
              bytes: await readInput(contractPath, 'contract', INPUT_LIMITS.userData),
              source: contractPath,
            }
          : undefined,
      },
    };
  } catch (error) {
    return { name, error: error instanceof HpvsError ? error : undefined };
  }
}
