import { X509Certificate, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { HpvsError } from '../../core/errors.js';
import { systemRandom } from '../../node/random.js';
import { findWorkerUrl, runInWorkers } from '../../node/worker-pool.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import { summariseRecord, type RecordSummary } from '../../core/attestation/record-summary.js';
import type { RecordFiles, RecordOptions } from './verify-attestation.js';
import {
  orderChecks,
  verifyRecordBundle,
  type RecordChecks,
} from '../../core/attestation/verify-record.js';

/**
 * Verifies many record bundles of one image (same attestation certificate, chain already
 * checked) on all cores: each bundle costs one RSA decrypt, one PBKDF2 and one signature
 * check, which worker threads run in parallel.
 */

export interface BatchShared {
  /** The attestation certificate's key and file; its chain is checked on the main thread. */
  certificate: { publicKey: KeyObject; source: string };
  options: RecordOptions;
}

export interface BatchBundle {
  name: string;
  /** Set when the folder lacks a file: the bundle fails with this error. */
  error?: HpvsError | undefined;
  files?: RecordFiles | undefined;
}

export interface BundleJob {
  index: number;
  files: RecordFiles;
}

export interface BundleOutcome {
  index: number;
  version?: string;
  record?: RecordChecks;
  summary?: RecordSummary;
  error?: { code: string; message: string };
}

export interface BundleResult {
  name: string;
  ok: boolean;
  version?: string;
  /** What the record says (absent when it could not be read). */
  summary?: RecordSummary;
  checks: VerificationCheck[];
  error?: { code: string; message: string };
}

export function errorOutcome(error: unknown): Omit<BundleOutcome, 'index'> {
  return {
    error: {
      code: error instanceof HpvsError ? error.code : 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

/** Verifies one bundle's record (on whichever thread runs it). */
export async function verifyBundleRecord(
  shared: BatchShared,
  files: RecordFiles,
): Promise<Omit<BundleOutcome, 'index'>> {
  try {
    const { record, decrypt, signature, contract, reference } = await verifyRecordBundle({
      ...files,
      attestationKey: shared.certificate.publicKey,
      certificateSource: shared.certificate.source,
      auditorKey: shared.options.auditorKey,
      // a RandomSource cannot cross to a thread: one given runs the batch on this thread
      random: shared.options.random ?? systemRandom,
      reference: shared.options.reference,
    });
    return {
      version: record.version,
      record: { decrypt, signature, contract, reference },
      summary: summariseRecord(record),
    };
  } catch (error) {
    return errorOutcome(error);
  }
}

/**
 * The attestation certificate's public key through node:crypto (PEM or DER), so the threads can
 * start before the x509 library has loaded; undefined when node cannot read it (the chain
 * check then reports why).
 */
export function certificatePublicKey(bytes: Uint8Array): KeyObject | undefined {
  try {
    return new X509Certificate(bytes).publicKey;
  } catch {
    return undefined;
  }
}

/**
 * Verifies the bundles and joins each one's record checks with the certificate's chain checks,
 * which may still be running (`chainChecks`) while the threads work.
 */
export async function verifyBatch(
  bundles: readonly BatchBundle[],
  shared: BatchShared,
  chainChecks: Promise<readonly VerificationCheck[]>,
  threads = availableParallelism(),
): Promise<BundleResult[]> {
  const outcomes: Omit<BundleOutcome, 'index'>[] = new Array(bundles.length);
  const jobs: BundleJob[] = [];
  for (const [index, bundle] of bundles.entries()) {
    if (bundle.files === undefined) outcomes[index] = errorOutcome(bundle.error);
    else jobs.push({ index, files: bundle.files });
  }
  // settle early so a failing chain check is not an unhandled rejection while threads run
  const chain = chainChecks.then(
    (checks) => ({ checks }),
    (error: unknown) => ({ error }),
  );
  const url = findWorkerUrl(import.meta.url, 'app/attestation/verify-bundle.worker.js');
  const count = Math.min(threads, jobs.length);
  if (url === undefined || count <= 1) {
    // from source (tests) or for one bundle a thread costs more than it saves
    for (const job of jobs) outcomes[job.index] = await verifyBundleRecord(shared, job.files);
  } else {
    await runInWorkers<BundleJob, BundleOutcome>(url, shared, jobs, count, (outcome) => {
      const { index, ...rest } = outcome;
      outcomes[index] = rest;
    });
  }
  const settled = await chain;
  if ('error' in settled) throw settled.error;
  return bundles.map((bundle, index) => {
    const { version, record, summary, error } = outcomes[index]!;
    const checks = record ? orderChecks(record, settled.checks) : [];
    return {
      name: bundle.name,
      ok: record !== undefined && checks.every((check) => check.status !== 'fail'),
      checks,
      ...(version === undefined ? {} : { version }),
      ...(summary === undefined ? {} : { summary }),
      ...(error === undefined ? {} : { error }),
    };
  });
}
