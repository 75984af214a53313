import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HpvsError } from '../errors.js';
import type { VerificationCheck } from '../pki/verification-check.js';
import { verifyAttestation, type RecordFiles, type RecordOptions } from './verify-attestation.js';

/**
 * Verifies many record bundles of one image (same attestation certificate, chain already
 * checked) on all cores: each bundle costs one RSA decrypt, one PBKDF2 and one signature
 * check, which worker threads run in parallel.
 */

export interface BatchShared {
  certificate: { publicKey: KeyObject; source: string; checks: readonly VerificationCheck[] };
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
  ok: boolean;
  version?: string;
  checks: VerificationCheck[];
  error?: { code: string; message: string };
}

export interface BundleResult extends Omit<BundleOutcome, 'index'> {
  name: string;
}

export function errorOutcome(error: unknown): Omit<BundleOutcome, 'index'> {
  return {
    ok: false,
    checks: [],
    error: {
      code: error instanceof HpvsError ? error.code : 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

/** Where the build put the worker: beside this module, or above the chunk folder. */
function workerUrl(): URL | undefined {
  for (const relative of [
    './verify-bundle.worker.js',
    '../attestation/verify-bundle.worker.js',
    './attestation/verify-bundle.worker.js',
  ]) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Threads for a batch, started before the shared material is ready so that their start-up
 * overlaps the chain check and key loading on the main thread. `verifyBatch` hands them the
 * material once and then the bundles.
 */
export interface BatchThreads {
  workers: Worker[];
}

export function startBatchThreads(
  bundleCount: number,
  threads = availableParallelism(),
): BatchThreads {
  const url = workerUrl();
  const count = Math.min(threads, bundleCount);
  // from source (tests) or for one bundle a thread costs more than it saves
  if (url === undefined || count <= 1) return { workers: [] };
  return { workers: Array.from({ length: count }, () => new Worker(url)) };
}

export function stopBatchThreads(threads: BatchThreads): void {
  for (const worker of threads.workers) void worker.terminate();
}

export async function verifyBatch(
  bundles: readonly BatchBundle[],
  shared: BatchShared,
  threads: BatchThreads = startBatchThreads(bundles.length),
): Promise<BundleResult[]> {
  const outcomes: Omit<BundleOutcome, 'index'>[] = new Array(bundles.length);
  const jobs: BundleJob[] = [];
  for (const [index, bundle] of bundles.entries()) {
    if (bundle.files === undefined) outcomes[index] = errorOutcome(bundle.error);
    else jobs.push({ index, files: bundle.files });
  }
  if (threads.workers.length === 0) {
    for (const job of jobs) {
      try {
        const report = await verifyAttestation(shared.certificate, job.files, shared.options);
        outcomes[job.index] = { ok: report.ok, version: report.version, checks: report.checks };
      } catch (error) {
        outcomes[job.index] = errorOutcome(error);
      }
    }
  } else {
    await runWorkers(threads.workers, jobs, shared, outcomes);
  }
  return bundles.map((bundle, index) => ({ name: bundle.name, ...outcomes[index]! }));
}

/** Two jobs in flight per thread, so a thread never waits for the main thread between jobs. */
const IN_FLIGHT = 2;

function runWorkers(
  workers: Worker[],
  jobs: BundleJob[],
  shared: BatchShared,
  outcomes: Omit<BundleOutcome, 'index'>[],
): Promise<void> {
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    if (jobs.length === 0) {
      stopBatchThreads({ workers });
      resolve();
      return;
    }
    for (const worker of workers) {
      const feed = () => {
        const job = jobs[next++];
        if (job !== undefined) worker.postMessage({ job });
      };
      worker.on('message', (outcome: BundleOutcome) => {
        const { index, ...rest } = outcome;
        outcomes[index] = rest;
        if (++done === jobs.length) {
          stopBatchThreads({ workers });
          resolve();
        } else {
          feed();
        }
      });
      worker.on('error', (error) => {
        stopBatchThreads({ workers });
        reject(error);
      });
      worker.postMessage({ shared });
      for (let i = 0; i < IN_FLIGHT; i++) feed();
    }
  });
}
