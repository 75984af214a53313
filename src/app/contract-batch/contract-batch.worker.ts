import { serveJobs } from '../../node/worker-pool.js';
import { buildBatchContract } from './contract-batch-job.js';

// One thread of `contract --batch`: the shared material arrives once, then a job per message.
serveJobs(buildBatchContract);
