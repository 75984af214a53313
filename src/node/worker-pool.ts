import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads for CPU-bound batches (encrypting and signing contracts,
 * verifying attestation records): each worker receives the shared material and the jobs once,
 * then claims jobs itself. The build turns every `src/**\/*.worker.ts` into
 * `dist/<path>.worker.js`.
 */

export interface PooledJob {
  index: number;
}

export interface PooledResult {
  index: number;
}

/**
 * Finds a worker entry the build produced, e.g. `contract/contract-batch.worker.js`, from the
 * module asking (`import.meta.url`): the code may sit in dist/ (the CLI's bundle) or beside
 * the worker (the worker's own bundle). Undefined when running from source (tests), where a worker cannot be started.
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
 * Worker threads started before their jobs are known, so that they boot (about 90 ms: a new
 * isolate and the job's modules) while the caller still reads its inputs. They do not keep the
 * process alive until `runInWorkers` takes them; `stop` ends them when the batch does not.
 */
export interface StartedWorkers {
  url: URL;
  threads: Worker[];
  /** The first error a thread reported before `runInWorkers` took it. */
  error?: unknown;
  stop(): void;
}

export function startWorkers(url: URL, count: number): StartedWorkers {
  const started: StartedWorkers = {
    url,
    threads: [],
    stop: () => {
      for (const thread of started.threads.splice(0)) void thread.terminate();
    },
  };
  for (let i = 0; i < count; i++) {
    const thread = new Worker(url);
    thread.unref();
    thread.once('error', (error) => (started.error ??= error));
    started.threads.push(thread);
  }
  return started;
}

export interface PoolOptions<J, R> {
  /** Stops the threads and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Also run jobs on the calling thread, which is otherwise idle while it waits: on two
   * cores, this thread and one worker do the work of two workers without starting the second.
   */
  here?: ((job: J) => Promise<R>) | undefined;
  /** Threads `startWorkers` started for this `url`, used first (the pool starts the rest). */
  started?: StartedWorkers | undefined;
}

/** What each worker receives once: everything it needs to work through the jobs alone. */
interface PoolStart<J> {
  shared: unknown;
  jobs: readonly J[];
  /** One Int32: the index of the next unclaimed job, shared by every thread. */
  next: SharedArrayBuffer;
}

/** Claims the next job for this thread, or undefined when all are taken. */
function claim<J>(jobs: readonly J[], next: Int32Array): J | undefined {
  return jobs[Atomics.add(next, 0, 1)];
}

/**
 * Runs `jobs` on `workers` threads started from `url` (and on this thread with `here`),
 * calling `onResult` as each finishes, in completion order. Every thread claims its next job
 * from a shared counter, so no thread waits for another to hand it work (the calling thread
 * may be busy for a while: validating, compiling a schema). A worker crash rejects and stops
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
  let total = Infinity;
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
      if (++done === total) end();
    };
    options.signal?.addEventListener('abort', () => end(options.signal!.reason), { once: true });
    // threads started ahead for this url are taken first; any others are ended
    const started = options.started;
    const usable = started !== undefined && started.url.href === url.href;
    const early = usable ? started.error : undefined;
    const ready = usable ? started.threads.splice(0, Math.max(1, workers)) : [];
    for (let i = 0; i < Math.max(1, workers); i++) {
      const thread = ready[i] ?? new Worker(url);
      thread.ref();
      threads.push(thread);
      thread.on('message', complete);
      thread.on('error', end);
    }
    started?.stop();
    if (early !== undefined) end(early);
    void Promise.all([shared, pending]).then(([material, jobs]) => {
      total = jobs.length;
      if (total === 0) {
        end();
        return;
      }
      const start: PoolStart<J> = { shared: material, jobs, next: new SharedArrayBuffer(4) };
      for (const thread of threads) thread.postMessage(start);
      const next = new Int32Array(start.next);
      const here = options.here;
      if (here === undefined) return;
      void (async () => {
        for (let job = claim(jobs, next); job !== undefined && !settled; job = claim(jobs, next)) {
          complete(await here(job));
          // let the workers' results in between jobs, for onResult and the progress line
          await new Promise((wake) => setImmediate(wake));
        }
      })().catch(end);
    }, end);
  });
}

/**
 * The worker side: receives the shared material and the jobs once, then claims jobs and
 * posts each result with `handle(job, shared)` until none is left.
 */
export function serveJobs<S, J extends PooledJob, R extends PooledResult>(
  handle: (job: J, shared: S) => Promise<R>,
): void {
  parentPort!.once('message', (start: PoolStart<J>) => {
    const next = new Int32Array(start.next);
    void (async () => {
      for (let job = claim(start.jobs, next); job !== undefined; job = claim(start.jobs, next)) {
        parentPort!.postMessage(await handle(job, start.shared as S));
      }
    })();
  });
}
