import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * A small pool of worker threads for CPU-bound batches (encrypting and signing contracts):
 * each worker receives the shared material once as `workerData`, then one job per message.
 * The build turns every `src/**\/*.worker.ts` into `dist/<path>.worker.js`.
 */

export interface PooledJob {
  index: number;
}

export interface PooledResult {
  index: number;
}

/**
 * Finds a worker entry the build produced, e.g. `contract/contract-batch.worker.js`, from the
 * module asking (`import.meta.url`): the code may sit in dist/, in dist/chunks/, or beside
 * the worker. Undefined when running from source (tests), where a worker cannot be started.
 */
export function findWorkerUrl(from: string, distPath: string): URL | undefined {
  const name = distPath.slice(distPath.lastIndexOf('/') + 1);
  for (const relative of [`./${name}`, `./${distPath}`, `../${distPath}`]) {
    const url = new URL(relative, from);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Runs `jobs` on `threads` workers started from `url`, calling `onResult` as each finishes
 * (in completion order). A worker crash rejects and stops the others. The jobs may still be
 * on their way (a promise): the threads start at once, loading their modules meanwhile.
 */
export function runInWorkers<J extends PooledJob, R extends PooledResult>(
  url: URL,
  shared: unknown,
  pending: readonly J[] | Promise<readonly J[]>,
  threads: number,
  onResult: (result: R) => void,
): Promise<void> {
  const count = Math.max(1, threads);
  let next = 0;
  let running = count;
  const workers: Worker[] = [];
  return new Promise((resolve, reject) => {
    let failed = false;
    const stop = (error: unknown) => {
      failed = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    let jobs: readonly J[] = [];
    const feeders: (() => void)[] = [];
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
      worker.on('message', (result: R) => {
        if (failed) return;
        onResult(result);
        feed();
      });
      feeders.push(feed);
      worker.on('error', stop);
    }
    void Promise.resolve(pending).then((ready) => {
      jobs = ready;
      // feed() ends each worker once the jobs run out, and resolves after the last one
      for (const feed of feeders) feed();
    }, stop);
  });
}

/** The worker side: answers each job message with `handle(job, shared)`. */
export function serveJobs<S, J extends PooledJob, R extends PooledResult>(
  handle: (job: J, shared: S) => Promise<R>,
): void {
  const shared = workerData as S;
  parentPort!.on('message', (job: J) => {
    void handle(job, shared).then((result) => parentPort!.postMessage(result));
  });
}
