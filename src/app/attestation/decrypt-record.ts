import type { KeyObject } from 'node:crypto';
import { HpvsError } from '../../core/errors.js';
import { parseRecord } from '../../core/attestation/record.js';
import { summariseRecord, type RecordSummary } from '../../core/attestation/record-summary.js';
import { openRecord, type SourcedBytes } from '../../core/attestation/verify-record.js';
import { systemRandom } from '../../node/random.js';

export interface DecryptedRecord {
  /** The record's exact bytes: a secret for whoever encrypted it, never printed. */
  bytes: Buffer;
  summary: RecordSummary;
}

/**
 * `attestation decrypt`: opens `se-checksums.txt.enc` with the auditor's key. A record that is
 * not a token is refused: there is nothing to decrypt, and writing it out again would only copy it.
 */
export function decryptAttestationRecord(
  record: SourcedBytes,
  auditorKey: KeyObject,
): DecryptedRecord {
  const opened = openRecord(record, auditorKey, systemRandom);
  if (opened.decrypt.status !== 'pass') {
    throw new HpvsError(
      'RECORD_INVALID',
      `${record.source}: not an encrypted record (no hyper-protect-basic token); it is already plaintext`,
    );
  }
  return {
    bytes: opened.bytes,
    summary: summariseRecord(parseRecord(opened.bytes, record.source)),
  };
}
