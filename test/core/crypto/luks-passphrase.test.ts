import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveLuksPassphrase } from '../../../src/core/crypto/luks-passphrase.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { hasTool, runTool } from '../../helpers/tools.js';

describe('deriveLuksPassphrase', () => {
  it('is the sha256 of env seed then workload seed, as 64 lowercase hex', () => {
    // echo -n "envseed-0123456789abcworkloadseed-0123456789" | sha256sum
    expect(deriveLuksPassphrase('envseed-0123456789abc', 'workloadseed-0123456789')).toBe(
      '40df354fbd23aeabe7cde45ab447486fabbd1080fd149b92e6ad0639cd19ca50',
    );
  });

  it('depends on the order of the seeds', () => {
    const env = 'env-seed-aaaaaaaaaaaa';
    const workload = 'workload-seed-bbbbbbbbbb';
    expect(deriveLuksPassphrase(env, workload)).not.toBe(deriveLuksPassphrase(workload, env));
  });

  it('appends the third seed after the two', () => {
    expect(deriveLuksPassphrase('a'.repeat(15), 'b'.repeat(15), 'c'.repeat(15))).toBe(
      deriveLuksPassphrase('a'.repeat(15), 'b'.repeat(15) + 'c'.repeat(15)),
    );
  });

  it.skipIf(!hasTool('sha256sum'))('matches sha256sum over the concatenated UTF-8 seeds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (env, workload) => {
        const expected = runTool('sha256sum', [], Buffer.from(env + workload, 'utf8'))
          .stdout.toString()
          .split(' ')[0];
        expect(deriveLuksPassphrase(Buffer.from(env), workload)).toBe(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses an empty seed: both are mandatory', () => {
    expect(thrownHpvsError(() => deriveLuksPassphrase('', 'b'.repeat(15))).code).toBe(
      'SECRET_INVALID',
    );
    expect(
      thrownHpvsError(() => deriveLuksPassphrase('a'.repeat(15), Buffer.alloc(0))).message,
    ).toMatch(/workload seed is empty/);
    expect(thrownHpvsError(() => deriveLuksPassphrase('a', 'b', '')).message).toMatch(/third seed/);
  });
});
