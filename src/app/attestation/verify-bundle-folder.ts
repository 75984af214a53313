import type { SourcedBytes } from '../../core/attestation/verify-record.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import { readRecordBundles } from './read-record-bundles.js';
import { verifyBatch, type BatchShared, type BundleResult } from './verify-batch.js';

/**
 * `attestation verify --batch DIR`: every bundle folder under `dir`, verified on all cores while
 * the chain is checked. The auditor's `contract` is the expectation for every bundle; a
 * bundle's own user-data.yaml is only compared with it (verifyRecordBundle), never put in its place.
 */
export async function verifyBundleFolder(
  dir: string,
  shared: BatchShared,
  chainChecks: Promise<readonly VerificationCheck[]>,
  contract: SourcedBytes | undefined,
): Promise<BundleResult[]> {
  const bundles = await readRecordBundles(dir);
  for (const bundle of bundles) {
    if (bundle.files) bundle.files.contract = contract;
  }
  return verifyBatch(bundles, shared, chainChecks);
}
