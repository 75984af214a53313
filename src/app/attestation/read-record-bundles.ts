import { isUtf8 } from 'node:buffer';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchBundle } from './verify-batch.js';
import { HpvsError } from '../../core/errors.js';
import { bytesForTerminal } from '../../core/text/terminal-safe-text.js';
import {
  formatBytes,
  INPUT_LIMITS,
  RECORD_BATCH_LIMITS,
  type InputLimit,
} from '../../node/input-limits.js';
import { mapBounded } from '../../node/bounded-concurrency.js';
import { fileError, readInput } from '../../node/read-input.js';

/** The files the runtime writes to /var/hyperprotect/, as an auditor collects them. */
const RECORD_NAMES = ['se-checksums.txt.enc', 'se-checksums.txt'];
const SIGNATURE_NAME = 'se-signature.bin';
const CONTRACT_NAME = 'user-data.yaml';

/** What is left to read of a batch folder, and the error once it is used up. */
interface Budget {
  left: number;
  exceeded?: HpvsError;
}

/**
 * Reads `DIR/<instance>/` folders, one record bundle each. A folder that lacks a file becomes a
 * failed bundle naming what is missing, so one bad folder does not stop the others; more than
 * `limits` bundles or bytes in all stops the batch.
 */
export async function readRecordBundles(
  dir: string,
  limits: { bytes: number; bundles: number; advice: string } = RECORD_BATCH_LIMITS,
): Promise<BatchBundle[]> {
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
  const tooLarge = () =>
    new HpvsError(
      'INPUT_TOO_LARGE',
      `${dir}: the batch holds more than ${limits.bundles} bundle folders or more than ${formatBytes(limits.bytes)} of files, the most hpvs-ctl reads at once; ${limits.advice}`,
    );
  if (folders.length > limits.bundles) throw tooLarge();
  const budget: Budget = { left: limits.bytes };
  const read = async (path: string, what: string, limit: InputLimit) => {
    // a file's share is reserved before it is read, so the batch never holds more than the budget
    let share = limit.bytes;
    try {
      const info = await stat(path);
      if (info.isFile()) share = Math.min(info.size, limit.bytes);
    } catch {
      // readInput reports the problem with the file
    }
    if (share > budget.left) throw (budget.exceeded ??= tooLarge());
    budget.left -= share;
    return readInput(path, what, limit);
  };
  // a few folders at a time: one task per folder ran out of file descriptors in a large batch
  return mapBounded(folders, async (raw) => {
    if (!isUtf8(raw)) {
      const name = bytesForTerminal(raw);
      return {
        name,
        error: new HpvsError(
          'FILE_UNREADABLE',
          `${join(dir, name)}: the folder name is not valid UTF-8: rename it`,
        ),
      };
    }
    const name = raw.toString('utf8');
    const bundle = await readBundle(join(dir, name), name, read);
    if (budget.exceeded) throw budget.exceeded;
    return bundle;
  });
}

async function readBundle(
  folder: string,
  name: string,
  read: (path: string, what: string, limit: InputLimit) => Promise<Buffer>,
): Promise<BatchBundle> {
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
          bytes: await read(recordPath, 'attestation record', INPUT_LIMITS.record),
          source: recordPath,
        },
        signature: {
          bytes: await read(signaturePath, 'signature', INPUT_LIMITS.signature),
          source: signaturePath,
        },
        bundleContract: present.has(CONTRACT_NAME)
          ? {
              bytes: await read(contractPath, 'contract', INPUT_LIMITS.userData),
              source: contractPath,
            }
          : undefined,
      },
    };
  } catch (error) {
    return { name, error: error instanceof HpvsError ? error : undefined };
  }
}
