import { describe, expect, it } from 'vitest';
import {
  mapBounded,
  settleBounded,
  settleBoundedUntilFailure,
} from '../../src/node/bounded-concurrency.js';

/** A task that records how many run at once and finishes in an order unlike the input's. */
function tracked() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const task = async (item: number): Promise<number> => {
    started.push(item);
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, (item * 7) % 5));
    running--;
    if (item === 13) throw new Error(`item ${item}`);
    return item * 2;
  };
  return { task, started, most: () => most };
}

describe('bounded concurrency', () => {
  const items = Array.from({ length: 40 }, (_, i) => i);

  it('settleBounded runs at most `limit` tasks at once and keeps the order of the items', async () => {
    const { task, most } = tracked();
    const outcomes = await settleBounded(items, task, 4);
    expect(most()).toBe(4);
    expect(outcomes).toHaveLength(40);
    expect(outcomes[13]).toMatchObject({ status: 'rejected' });
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1);
    expect(outcomes[39]).toEqual({ status: 'fulfilled', value: 78 });
  });

  it('mapBounded gives the results in order, or the first failure and starts nothing after it', async () => {
    const fine = tracked();
    expect(await mapBounded([1, 2, 3, 4, 5, 6], fine.task, 2)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(fine.most()).toBe(2);
    const failing = tracked();
    await expect(mapBounded(items, failing.task, 3)).rejects.toThrow('item 13');
    expect(failing.started.length).toBeLessThan(items.length);
  });

  it('settleBoundedUntilFailure keeps every outcome up to the failure and starts nothing after it', async () => {
    const { task, started } = tracked();
    const outcomes = await settleBoundedUntilFailure(items, task, 3);
    expect(outcomes[13]).toMatchObject({ status: 'rejected' });
    // every item before the failure ran: they started first
    expect(outcomes.slice(0, 13).every((outcome) => outcome?.status === 'fulfilled')).toBe(true);
    expect(started.length).toBeLessThan(items.length);
    expect(outcomes.slice(started.length).every((outcome) => outcome === undefined)).toBe(true);
  });

  it('handles fewer items than the limit, and none', async () => {
    expect(await mapBounded([5], async (x) => x, 16)).toEqual([5]);
    expect(await settleBounded([], async (x) => x)).toEqual([]);
  });
});
