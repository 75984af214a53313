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

export async function verifyBatch(
  bundles: readonly BatchBundle[],
  shared: BatchShared,
  threads = availableParallelism(),
): Promise<BundleResult[]> {
  const outcomes: Omit<BundleOutcome, 'index'>[] = new Array(bundles.length);
  const jobs: BundleJob[] = [];
  for (const [index, bundle] of bundles.entries()) {
    if (bundle.files === undefined) outcomes[index] = errorOutcome(bundle.error);
    else jobs.push({ index, files: bundle.files });
  }
  const url = workerUrl();
  const count = Math.min(threads, jobs.length);
  if (url === undefined || count <= 1) {
    // running from source (tests) or a single bundle: a thread would cost more than it saves
    for (const job of jobs) {
      try {
        const report = await verifyAttestation(shared.certificate, job.files, shared.options);
        outcomes[job.index] = { ok: report.ok, version: report.version, checks: report.checks };
      } catch (error) {
        outcomes[job.index] = errorOutcome(error);
      }
    }
  } else {
    await runWorkers(url, count, jobs, shared, outcomes);
  }
  return bundles.map((bundle, index) => ({ name: bundle.name, ...outcomes[index]! }));
}

function runWorkers(
  url: URL,
  count: number,
  jobs: BundleJob[],
  shared: BatchShared,
  outcomes: Omit<BundleOutcome, 'index'>[],
): Promise<void> {
  let next = 0;
  let running = count;
  const workers: Worker[] = [];
  return new Promise((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(url, { workerData: shared });
      workers.push(worker);
      const feed = () => {
        const job = jobs[next++];
        if (job === undefined) {
          void worker.terminate();
          if (--running === 0) resolve();
          return;
        }
        worker.postMessage(job);
      };
      worker.on('message', (outcome: BundleOutcome) => {
        const { index, ...rest } = outcome;
        outcomes[index] = rest;
        feed();
      });
      worker.on('error', (error) => {
        for (const other of workers) void other.terminate();
        reject(error);
      });
      feed();
    }
  });
}
