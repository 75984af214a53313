import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads for CPU-bound batches (encrypting and signing contracts):
 * each worker receives the shared material once, in its first message, then one job per
 * message. The build turns every `src/**\/*.worker.ts` into `dist/<path>.worker.js`.
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

export interface PoolOptions<J, R> {
  /** Stops the threads and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Also run jobs on the calling thread, which is otherwise idle while it waits: on two
   * cores, this thread and one worker do the work of two workers without starting the second.
   */
  here?: ((job: J) => Promise<R>) | undefined;
}

/** Jobs each worker holds at once, so it never waits while the calling thread is busy. */
const DEPTH = 2;

/**
 * Runs `jobs` on `workers` threads started from `url` (and on this thread with `here`),
 * calling `onResult` as each finishes, in completion order. A worker crash rejects and stops
 * the others. The shared material and the jobs may still be on their way (promises): the
 * threads start at once and load their modules meanwhile.
 */
export function runInWorkers<J extends PooledJob, R extends PooledResult>(
  url: URL,
  shared: unknown,
  pending: readonly J[] | Promise<readonly J[]>,
  workers: number,
  onResult: (result: R) => void,
  options: PoolOptions<J, R> = {},
): Promise<void> {
  const threads: Worker[] = [];
  let jobs: readonly J[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  return new Promise((resolve, reject) => {
    const end = (error?: unknown) => {
      if (settled) return;
      settled = true;
      for (const thread of threads) void thread.terminate();
      if (error === undefined) resolve();
      else reject(error);
    };
    const complete = (result: R) => {
      if (settled) return;
      onResult(result);
      if (++done === jobs.length) end();
    };
    options.signal?.addEventListener('abort', () => end(options.signal!.reason), { once: true });
    for (let i = 0; i < Math.max(1, workers); i++) {
      const thread = new Worker(url);
      threads.push(thread);
      thread.on('message', (result: R) => {
        complete(result);
        const job = jobs[next++];
        if (job !== undefined && !settled) thread.postMessage(job);
      });
      thread.on('error', end);
    }
    const runHere = async (here: (job: J) => Promise<R>) => {
      for (let job = jobs[next++]; job !== undefined && !settled; job = jobs[next++]) {
        complete(await here(job));
        // let the workers' messages in between jobs, so they are fed without delay
        await new Promise((wake) => setImmediate(wake));
      }
    };
    void Promise.all([shared, pending]).then(([material, ready]) => {
      jobs = ready;
      if (jobs.length === 0) {
        end();
        return;
      }
      for (const thread of threads) {
        thread.postMessage(material);
        for (let d = 0; d < DEPTH && next < jobs.length; d++) thread.postMessage(jobs[next++]);
      }
      if (options.here) runHere(options.here).catch(end);
    }, end);
  });
}

/**
 * The worker side: takes the shared material from the first message, then answers each job
 * message with `handle(job, shared)`.
 */
export function serveJobs<S, J extends PooledJob, R extends PooledResult>(
  handle: (job: J, shared: S) => Promise<R>,
): void {
  let shared: { value: S } | undefined;
  parentPort!.on('message', (message: S | J) => {
    if (shared === undefined) {
      shared = { value: message as S };
      return;
    }
    void handle(message as J, shared.value).then((result) => parentPort!.postMessage(result));
  });
}
