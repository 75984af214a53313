import { parentPort } from 'node:worker_threads';
import { verifyAttestation } from './verify-attestation.js';
import {
  errorOutcome,
  type BatchShared,
  type BundleJob,
  type BundleOutcome,
} from './verify-batch.js';

/**
 * One of the batch verifier's threads: it receives the shared material first (keys arrive as
 * KeyObjects, which survive postMessage) and then verifies bundles one message at a time.
 */
let shared: BatchShared | undefined;

parentPort!.on('message', (message: { shared?: BatchShared; job?: BundleJob }) => {
  if (message.shared) shared = message.shared;
  if (message.job) {
    const job = message.job;
    void verifyOne(job).then((outcome) => parentPort!.postMessage(outcome));
  }
});

async function verifyOne(job: BundleJob): Promise<BundleOutcome> {
  try {
    const report = await verifyAttestation(shared!.certificate, job.files, shared!.options);
    return { index: job.index, ok: report.ok, version: report.version, checks: report.checks };
  } catch (error) {
    return { index: job.index, ...errorOutcome(error) };
  }
}
