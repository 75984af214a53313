import type { KeyObject } from 'node:crypto';
import type { RandomSource } from '../../core/crypto/random-source.js';
import { systemRandom } from '../../node/random.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import type { SeedImageContents } from '../../core/attestation/cidata-digests.js';
import type { AttestationRecord } from '../../core/attestation/record.js';
import { summariseRecord, type RecordSummary } from '../../core/attestation/record-summary.js';
import type { ReferenceValue } from '../../core/attestation/reference-values.js';
import {
  orderChecks,
  verifyRecordBundle,
  type SourcedBytes,
} from '../../core/attestation/verify-record.js';

/**
 * The auditor's verdict on an attestation record: the record checks of `verifyRecordBundle`
 * plus the chain, validity and CRL checks of the attestation certificate (`checkCertificate`,
 * run once per certificate), in one list.
 */

export interface AttestationReport {
  ok: boolean;
  version: string;
  checks: VerificationCheck[];
  record: AttestationRecord;
  /** Version, machine, image age, entries and Terraform's checksum map. */
  summary: RecordSummary;
}

export interface RecordFiles {
  record: SourcedBytes;
  signature: SourcedBytes;
  /** The user-data the auditor expects. */
  contract?: SourcedBytes | undefined;
  /** The user-data a batch bundle carries beside its record, checked against `contract`. */
  bundleContract?: SourcedBytes | undefined;
  /** The seed image the instance booted from, as extracted. */
  cidata?: (SeedImageContents & { source: string }) | undefined;
}

export interface RecordOptions {
  auditorKey?: KeyObject | undefined;
  reference?: { values: readonly ReferenceValue[]; source: string } | undefined;
  /** Draws the stand-in password a failed decryption runs with; the system's CSPRNG by default. */
  random?: RandomSource | undefined;
}

export async function verifyAttestation(
  certificate: { publicKey: KeyObject; source: string; checks: readonly VerificationCheck[] },
  files: RecordFiles,
  options: RecordOptions,
): Promise<AttestationReport> {
  const bundle = await verifyRecordBundle({
    record: files.record,
    signature: files.signature,
    attestationKey: certificate.publicKey,
    certificateSource: certificate.source,
    auditorKey: options.auditorKey,
    random: options.random ?? systemRandom,
    contract: files.contract,
    bundleContract: files.bundleContract,
    cidata: files.cidata,
    reference: options.reference,
  });
  const checks = orderChecks(bundle, certificate.checks);
  return {
    ok: checks.every((check) => check.status !== 'fail'),
    version: bundle.record.version,
    checks,
    record: bundle.record,
    summary: summariseRecord(bundle.record),
  };
}
