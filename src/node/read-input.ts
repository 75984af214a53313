import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { HpvsError } from '../core/errors.js';
import { decodeUtf8Exactly } from '../core/text/utf8-text.js';
import { note } from './console.js';
import { formatBytes, type InputLimit } from './input-limits.js';

/** Bytes asked of the operating system per read: large enough to be few reads, small enough to stop near the limit. */
const CHUNK = 1024 * 1024;

/**
 * Reads a file's exact bytes, or standard input when the path is `-`, stopping with a clear
 * error as soon as more than `limit` bytes arrive (so /dev/zero or an endless pipe cannot fill
 * memory: devices and pipes have no size to check first). Errors name the path and say what to
 * do, without a stack trace.
 */
export async function readInput(path: string, what: string, limit: InputLimit): Promise<Buffer> {
  if (path === '-') return readStdin(what, limit);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    // a regular file says its size: refuse at once instead of reading up to the limit
    if (info.isFile() && info.size > limit.bytes) throw tooLarge(path, what, limit);
    return await readBounded(handle, path, what, limit);
  } catch (error) {
    if (error instanceof HpvsError) throw error;
    throw fileError(path, what, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function readBounded(
  handle: FileHandle,
  path: string,
  what: string,
  limit: InputLimit,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // one scratch buffer, and a copy of only what each read gave: a pipe or FIFO gives 64 KiB a
  // read, and keeping each 1 MiB buffer behind its slice held 16 times the input in memory
  const scratch = Buffer.allocUnsafe(Math.min(CHUNK, limit.bytes + 1));
  for (;;) {
    const { bytesRead } = await handle.read(
      scratch,
      0,
      Math.min(scratch.length, limit.bytes - total + 1),
      null,
    );
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > limit.bytes) throw tooLarge(path, what, limit);
    chunks.push(Buffer.from(scratch.subarray(0, bytesRead)));
  }
}

/**
 * Reads standard input up to `limit`. On a terminal it first says what it waits for, since a
 * silent wait looks like a hang.
 */
async function readStdin(what: string, limit: InputLimit): Promise<Buffer> {
  if (process.stdin.isTTY) {
    note(`hpvs-ctl: reading the ${what} from standard input (end with Ctrl-D)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    // leaving the loop destroys the stream: nothing more is read from the writer
    if (total > limit.bytes) throw tooLarge('-', what, limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

export function tooLarge(path: string, what: string, limit: InputLimit): HpvsError {
  return new HpvsError(
    'INPUT_TOO_LARGE',
    `${path === '-' ? 'stdin' : path}: the ${what} is larger than ${formatBytes(limit.bytes)}, the most hpvs-ctl reads for ${limit.kind}; ${limit.advice}`,
  );
}

export function fileError(path: string, what: string, error: unknown): HpvsError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // "section file not found", but "folder not found", not "file file not found"
    const noun = /\b(file|folder)$/.test(what) ? what : `${what} file`;
    return new HpvsError('FILE_NOT_FOUND', `${path}: ${noun} not found; check the path`, {
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new HpvsError('FILE_UNREADABLE', `${path}: ${what} is a directory, expected a file`, {
      cause: error,
    });
  }
  if (code === 'EACCES') {
    return new HpvsError('FILE_UNREADABLE', `${path}: permission denied reading ${what}`, {
      cause: error,
    });
  }
  return new HpvsError('FILE_UNREADABLE', `${path}: cannot read ${what} (${code ?? 'error'})`, {
    cause: error,
  });
}

/**
 * Standard input can feed only one input; a second `-` would silently read nothing. `uses`
 * maps each input's name ("the section", "--cert") to its path.
 */
export function assertSingleStdin(uses: Record<string, string | undefined>): void {
  const fromStdin = Object.entries(uses)
    .filter(([, path]) => path === '-')
    .map(([name]) => name);
  if (fromStdin.length > 1) {
    throw new HpvsError(
      'USAGE',
      `only one input can come from stdin (-), but ${fromStdin.join(' and ')} both ask for it`,
    );
  }
}

/**
 * Reads a text file, or stdin for `-`, up to `limit` bytes. Text that is not UTF-8 is refused
 * at its first bad byte: a lenient decoder would turn a seed or password into U+FFFD and so
 * silently change a LUKS passphrase or a credential.
 */
export async function readTextInput(
  path: string,
  what: string,
  limit: InputLimit,
): Promise<string> {
  return decodeUtf8Exactly(await readInput(path, what, limit), path === '-' ? 'stdin' : path);
}
