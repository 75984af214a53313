import type { FileHandle } from 'node:fs/promises';
import { open, unlink } from 'node:fs/promises';
import { HpvsError } from '../core/errors.js';

/**
 * An output that grows while a command runs (a log of received messages). It is opened once,
 * before the command starts its work, so a path that cannot be written is reported at once
 * instead of at the first message; appends happen in call order.
 */
export interface AppendOutput {
  /** Rejects with an `OUTPUT_FAILED` HpvsError when the bytes cannot be written. */
  append(text: string): Promise<void>;
  close(): Promise<void>;
  /** Closes, and removes the file when this run created it and wrote nothing to it. */
  discard(): Promise<void>;
}

/** Opens (or creates, mode 0600) `path` for appending. */
export async function openAppendOutput(path: string): Promise<AppendOutput> {
  let handle: FileHandle;
  let created = true;
  try {
    try {
      handle = await open(path, 'ax', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      created = false;
      handle = await open(path, 'a');
    }
  } catch (error) {
    throw new HpvsError('OUTPUT_FAILED', `${path}: cannot open for appending (${cause(error)})`, {
      cause: error,
    });
  }
  let written = false;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async append(text) {
      try {
        await handle.appendFile(text);
        written = true;
      } catch (error) {
        throw new HpvsError('OUTPUT_FAILED', `${path}: cannot append (${cause(error)})`, {
          cause: error,
        });
      }
    },
    close,
    async discard() {
      await close();
      if (created && !written) await unlink(path).catch(() => undefined);
    },
  };
}

/** Standard output as an `AppendOutput` (a reader that goes away ends the process, see bin/). */
export function stdoutAppendOutput(): AppendOutput {
  return {
    append: (text) =>
      new Promise((resolve, reject) => {
        process.stdout.write(text, (error) => {
          if (error) {
            reject(
              new HpvsError('OUTPUT_FAILED', `standard output: cannot write (${cause(error)})`, {
                cause: error,
              }),
            );
          } else resolve();
        });
      }),
    close: async () => undefined,
    discard: async () => undefined,
  };
}

function cause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return code ?? 'error';
  }
}
