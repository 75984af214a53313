import { parentPort } from 'node:worker_threads';
import { verifyBundleRecord, type BatchShared, type BundleJob } from './verify-batch.js';

/**
 * One of the batch verifier's threads: it receives the shared material first (keys arrive as
 * KeyObjects, which survive postMessage) and then verifies bundles one message at a time.
 */
let shared: BatchShared | undefined;

parentPort!.on('message', (message: { shared?: BatchShared; job?: BundleJob }) => {
  if (message.shared) shared = message.shared;
  const job = message.job;
  if (job) {
    void verifyBundleRecord(shared!, job.files).then((outcome) =>
      parentPort!.postMessage({ index: job.index, ...outcome }),
    );
  }
});
