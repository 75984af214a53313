/**
 * How many files a command works on at once when it reads or writes a set of them (a batch of
 * contracts, a folder of attestation bundles). Each open file takes a descriptor, and the usual
 * soft limit is 1024 (it can be far lower: `ulimit -n`): with one task per file, a large batch
 * failed with EMFILE. 16 still overlaps the waits (flushes, reads) that make it worth doing at
 * once.
 */
export const OPEN_FILES_AT_ONCE = 16;

/**
 * Runs `task` on the items with at most `limit` running at a time, started in the order of the
 * items; with `stopAfterFailure`, none starts after one has failed. The outcomes are in the
 * order of the items, undefined for those never started.
 */
async function runBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit: number,
  stopAfterFailure: boolean,
): Promise<(PromiseSettledResult<R> | undefined)[]> {
  const outcomes: (PromiseSettledResult<R> | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!(stopAfterFailure && failed) && next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { status: 'fulfilled', value: await task(items[index]!, index) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}

/**
 * `Promise.allSettled(items.map(task))` with at most `limit` tasks running at a time: the
 * outcomes in the order of `items`.
 */
export async function settleBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = OPEN_FILES_AT_ONCE,
): Promise<PromiseSettledResult<R>[]> {
  return (await runBounded(items, task, limit, false)) as PromiseSettledResult<R>[];
}

/**
 * `settleBounded`, but no task starts after one has failed: the outcome of an item never
 * started is undefined. Tasks start in the order of the items, so every item before the first
 * failure (in that order) has its outcome.
 */
export function settleBoundedUntilFailure<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = OPEN_FILES_AT_ONCE,
): Promise<(PromiseSettledResult<R> | undefined)[]> {
  return runBounded(items, task, limit, true);
}

/**
 * `Promise.all(items.map(task))` with at most `limit` tasks running at a time: the results in
 * the order of `items`, or the first failure in that order (no task starts after a failure).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = OPEN_FILES_AT_ONCE,
): Promise<R[]> {
  const outcomes = await runBounded(items, task, limit, true);
  const failure = outcomes.find((outcome) => outcome?.status === 'rejected');
  if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<R>).value);
}
