import { parentPort, workerData } from 'node:worker_threads';
import { verifyAttestation } from './verify-attestation.js';
import {
  errorOutcome,
  type BatchShared,
  type BundleJob,
  type BundleOutcome,
} from './verify-batch.js';

/**
 * One of the batch verifier's threads: it receives the shared material once (keys arrive as
 * KeyObjects, which survive postMessage) and then verifies bundles one message at a time.
 */
const shared = workerData as BatchShared;

parentPort!.on('message', (job: BundleJob) => {
  void verifyOne(job).then((outcome) => parentPort!.postMessage(outcome));
});

async function verifyOne(job: BundleJob): Promise<BundleOutcome> {
  try {
    const report = await verifyAttestation(shared.certificate, job.files, shared.options);
    return { index: job.index, ok: report.ok, version: report.version, checks: report.checks };
  } catch (error) {
    return { index: job.index, ...errorOutcome(error) };
  }
}
