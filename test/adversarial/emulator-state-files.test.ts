import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { expectCleanFailure, initBoundedEmulator, runBounded } from './hostile-cli.js';

/**
 * An emulator state folder is input too: its files are read with the limits of their kind
 * (1 MiB for state.json and for keys), so a state.json or a key file grown huge (a
 * mistake, or a folder someone else controls) is one error line, not a read into memory.
 */

const tempDir = useTempDir('hpvs-ctl-state-files-');
const state = () => join(tempDir(), 'state');

beforeAll(async () => {
  await initBoundedEmulator(state());
}, 120_000);

/** A copy of the good state with `file` grown past 1 MiB. */
function stateWithLargeFile(file: string): string {
  const copy = join(tempDir(), `large-${file.replace(/\W/g, '-')}`);
  cpSync(state(), copy, { recursive: true });
  appendFileSync(join(copy, file), Buffer.alloc(2 * 1024 * 1024, 0x20));
  return copy;
}

describe('emulator state files past their limits', () => {
  for (const file of ['state.json', 'private/encrypt-key.pem']) {
    it(`${file} larger than 1 MiB: one error line, exit 1`, async () => {
      const dir = stateWithLargeFile(file);
      const contract = join(tempDir(), 'user-data.yaml');
      writeFileSync(contract, 'workload: x\nenv: y\n');
      const result = await runBounded(['emulator', 'boot', contract, '--state', dir]);
      expectCleanFailure(result, `${file} of 2 MiB`, {
        code: 1,
        message: /larger than 1 MiB/,
      });
    });
  }
});
