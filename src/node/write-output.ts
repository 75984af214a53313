import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HpvsError } from '../core/errors.js';
import { outputMode, type OutputPolicy } from './output-policy.js';

/**
 * Writes a file so that it appears complete or not at all, with the mode `policy` gives it
 * (see `OutputPolicy`: secrets 0600, never wider than its inputs, never onto an input).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  policy: OutputPolicy,
): Promise<void> {
  await writeWithMode(path, data, await outputMode(path, policy));
}

/**
 * The bytes go to a hidden temporary file beside the target, created with the final mode (so a
 * secret is never readable by others, not even briefly; the umask may narrow it further), which
 * is flushed and then renamed over the target.
 */
export async function writeWithMode(
  path: string,
  data: string | Uint8Array,
  mode: number,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new HpvsError('OUTPUT_FAILED', `${path}: cannot write output (${code})`, {
      cause: error,
    });
  }
}

/** Writes to `--out` atomically when given, else to standard output. */
export async function writeResult(
  out: string | undefined,
  data: string | Uint8Array,
  policy: OutputPolicy,
): Promise<void> {
  if (out === undefined || out === '-') {
    await writeStdout(data);
    return;
  }
  await writeFileAtomic(out, data, policy);
}

/** Writes to standard output; a reader that has gone away (EPIPE) is not an error. */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (error) => {
      const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
      if (error && code !== 'EPIPE') {
        reject(
          new HpvsError('OUTPUT_FAILED', `cannot write to standard output (${code ?? 'error'})`, {
            cause: error,
          }),
        );
      } else resolve();
    });
  });
}
