import { chmodSync, linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputMode } from '../../src/node/output-policy.js';
import { rejectedHpvsError } from '../helpers/expect-error.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-ctl-output-policy-');
let counter = 0;
/** A new file with `mode`, or just a fresh path when `mode` is undefined. */
function path(mode?: number): string {
  const file = join(tempDir(), `f${++counter}`);
  if (mode !== undefined) {
    writeFileSync(file, 'x');
    chmodSync(file, mode);
  }
  return file;
}

describe('outputMode', () => {
  it('gives secrets 0600 and public outputs 0644 before the umask', async () => {
    expect(await outputMode(path(), { secret: true })).toBe(0o600);
    expect(await outputMode(path(), { secret: false })).toBe(0o644);
  });

  it('narrows to the inputs, the file replaced and the ceiling; never widens, never adds write or execute', async () => {
    expect(await outputMode(path(), { secret: false, from: [path(0o600)] })).toBe(0o600);
    expect(await outputMode(path(), { secret: false, from: [path(0o640), path(0o604)] })).toBe(
      0o600,
    );
    expect(await outputMode(path(), { secret: false, from: [path(0o777)] })).toBe(0o644);
    expect(await outputMode(path(0o640), { secret: false })).toBe(0o640);
    expect(await outputMode(path(0o666), { secret: true })).toBe(0o600);
    expect(await outputMode(path(), { secret: false, ceiling: 0o040 })).toBe(0o640);
    // inputs that are not regular files (missing, a device) do not narrow
    expect(await outputMode(path(), { secret: false, from: [path(), '/dev/null'] })).toBe(0o644);
  });

  it('refuses an input as the output (a hard link too) unless in place, which keeps the mode', async () => {
    const input = path(0o640);
    const error = await rejectedHpvsError(outputMode(input, { secret: false, from: [input] }));
    expect(error.code).toBe('USAGE');
    const link = join(tempDir(), 'link');
    linkSync(input, link);
    expect((await rejectedHpvsError(outputMode(link, { secret: false, from: [input] }))).code).toBe(
      'USAGE',
    );
    expect(await outputMode(input, { secret: false, from: [input], inPlace: true })).toBe(0o640);
  });

  it('refuses a key or certificate it reads as the output, even in place, without narrowing by it', async () => {
    const key = path(0o600);
    const policy = { secret: false, from: [path(0o644)], inPlace: true, alsoReads: [key] };
    expect((await rejectedHpvsError(outputMode(key, policy))).code).toBe('USAGE');
    expect(await outputMode(path(0o644), policy)).toBe(0o644);
  });
});
