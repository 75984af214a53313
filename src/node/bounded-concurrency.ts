/**
 * How many files a command works on at once when it reads or writes a set of them (a batch of
 * contracts, a folder of attestation bundles). Each open file takes a descriptor, and the usual
 * soft limit is 1024 (it can be far lower: `ulimit -n`): with one task per file, a large batch
 * failed with EMFILE. 16 still overlaps the waits (flushes, reads) that make it worth doing at
 * once.
 */
export const OPEN_FILES_AT_ONCE = 16;

/**
 * `Promise.allSettled(items.map(task))` with at most `limit` tasks running at a time: the
 * outcomes in the order of `items`.
 */
export async function settleBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = OPEN_FILES_AT_ONCE,
): Promise<PromiseSettledResult<R>[]> {
  const outcomes: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { status: 'fulfilled', value: await task(items[index]!, index) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}

/**
 * `Promise.all(items.map(task))` with at most `limit` tasks running at a time: the results in
 * the order of `items`, or the first failure (no task starts after it).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit = OPEN_FILES_AT_ONCE,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
