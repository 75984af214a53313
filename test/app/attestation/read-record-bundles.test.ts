import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecordBundles } from '../../../src/app/attestation/read-record-bundles.js';
import { rejectedHpvsError } from '../../helpers/expect-error.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-ctl-record-bundles-');

/** DIR/instance-N/ with a 100-byte record and a 10-byte signature each. */
function batchOf(count: number, name: string): string {
  const dir = join(tempDir(), name);
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `instance-${i}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'se-checksums.txt'), 'r'.repeat(100));
    writeFileSync(join(folder, 'se-signature.bin'), 's'.repeat(10));
  }
  return dir;
}

describe('readRecordBundles limits', () => {
  it('reads a batch within its limits', async () => {
    const bundles = await readRecordBundles(batchOf(3, 'fits'), {
      bytes: 330,
      bundles: 3,
      advice: 'split it',
    });
    expect(bundles.map((bundle) => bundle.files?.record.bytes.length)).toEqual([100, 100, 100]);
  });

  it('refuses more bundle folders than the limit, before reading any', async () => {
    const dir = batchOf(3, 'many');
    const error = await rejectedHpvsError(
      readRecordBundles(dir, { bytes: 1000, bundles: 2, advice: 'split it' }),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
    expect(error.message).toBe(
      `${dir}: the batch holds more than 2 bundle folders or more than 1000 bytes of files, the most hpvs-ctl reads at once; split it`,
    );
  });

  it('refuses more bytes in all than the limit', async () => {
    const error = await rejectedHpvsError(
      readRecordBundles(batchOf(3, 'heavy'), { bytes: 329, bundles: 10, advice: 'split it' }),
    );
    expect(error.code).toBe('INPUT_TOO_LARGE');
  });

  it('fails only the bundle whose record is over its own limit', async () => {
    const dir = batchOf(2, 'one-large');
    truncateSync(join(dir, 'instance-1', 'se-checksums.txt'), 1024 * 1024 + 1);
    const bundles = await readRecordBundles(dir);
    expect(bundles[0]!.files?.record.bytes.length).toBe(100);
    expect(bundles[1]!.error?.code).toBe('INPUT_TOO_LARGE');
    expect(bundles[1]!.error?.message).toContain('is larger than 1 MiB');
  });
});
