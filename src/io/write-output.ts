import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HpvsError } from '../errors.js';

export interface WriteOptions {
  /** File mode of the new file; private keys use 0o600. */
  mode?: number;
}

/**
 * Writes a file so that it appears complete or not at all: the bytes go to a hidden temporary
 * file beside the target (created with the final mode, so a secret is never world-readable,
 * not even briefly), which is flushed and then renamed over the target.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', mode);
    await handle.writeFile(data);
    await handle.chmod(mode);
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
  options: WriteOptions = {},
): Promise<void> {
  if (out === undefined || out === '-') {
    await writeStdout(data);
    return;
  }
  await writeFileAtomic(out, data, options);
}

/** Writes to standard output; a reader that has gone away (EPIPE) is not an error. */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
      else resolve();
    });
  });
}
