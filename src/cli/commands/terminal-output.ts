import { bytesForTerminal } from '../../core/text/terminal-safe-text.js';

/**
 * Exact bytes for a file or a pipe; on a terminal the same bytes with control characters and
 * undecodable bytes escaped, so decrypted input cannot drive the terminal. `out` is the
 * command's `--out` (absent or `-`: standard output).
 */
export function forTerminal(out: string | undefined, bytes: Uint8Array): Uint8Array | string {
  const toStdout = out === undefined || out === '-';
  return toStdout && process.stdout.isTTY === true
    ? bytesForTerminal(bytes, { lines: true })
    : bytes;
}
