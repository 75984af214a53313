import { readFile } from 'node:fs/promises';
import { HpvsError } from '../errors.js';

/** Reads all of standard input as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads a file's exact bytes, or standard input when the path is `-`. Errors name the path
 * and say what to do, without a stack trace.
 */
export async function readInput(path: string, what = 'input'): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, what, error);
  }
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

/** Reads a text file (UTF-8), or stdin for `-`. */
export async function readTextInput(path: string, what = 'input'): Promise<string> {
  return (await readInput(path, what)).toString('utf8');
}
