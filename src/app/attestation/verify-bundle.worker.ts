import { serveJobs } from '../../node/worker-pool.js';
import {
  verifyBundleRecord,
  type BatchShared,
  type BundleJob,
  type BundleOutcome,
} from './verify-batch.js';

// one of the batch verifier's threads; keys arrive as KeyObjects, which survive the copy
serveJobs<BatchShared, BundleJob, BundleOutcome>(async (job, shared) => ({
  index: job.index,
  ...(await verifyBundleRecord(shared, job.files)),
}));
