import { isUtf8 } from 'node:buffer';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchBundle } from '../attestation/verify-batch.js';
import { HpvsError } from '../errors.js';
import { bytesForTerminal } from '../terminal-safe-text.js';
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
    // names as bytes: a name that is not UTF-8 would decode to U+FFFD, naming no folder
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw fileError(dir, 'batch folder', error);
  }
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(Buffer.compare);
  if (folders.length === 0) {
    throw new HpvsError(
      'FILE_NOT_FOUND',
      `${dir}: no bundle folders; expect one sub-folder per instance holding se-checksums.txt[.enc] and se-signature.bin`,
    );
  }
  return Promise.all(
    folders.map((raw) => {
      if (isUtf8(raw)) return readBundle(join(dir, raw.toString('utf8')), raw.toString('utf8'));
      const name = bytesForTerminal(raw);
      return {
        name,
        error: new HpvsError(
          'FILE_UNREADABLE',
          `${join(dir, name)}: the folder name is not valid UTF-8: rename it`,
        ),
      };
    }),
  );
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
        record: { bytes: await readInput(recordPath, 'attestation record'), source: recordPath },
        signature: { bytes: await readInput(signaturePath, 'signature'), source: signaturePath },
        bundleContract: present.has(CONTRACT_NAME)
          ? { bytes: await readInput(contractPath, 'contract'), source: contractPath }
          : undefined,
      },
    };
  } catch (error) {
    return { name, error: error instanceof HpvsError ? error : undefined };
  }
}
