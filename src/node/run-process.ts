import { spawn } from 'node:child_process';
import { HpvsError } from '../core/errors.js';
import { worded, type InputPhrase } from '../core/wording.js';

export interface ProcessResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  /** Bytes for the program's standard input; secrets go here, never into argv. */
  input?: string | Uint8Array;
  cwd?: string;
  /** Added to the caller's environment. */
  env?: Record<string, string>;
  /** What to install when the program is missing, for the error message. */
  installHint?: string | InputPhrase;
}

/**
 * Runs a program to completion and collects its output. A missing program is a clear
 * `TOOL_MISSING` error; a non-zero exit is returned, not thrown, for the caller to explain.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new HpvsError(
            'TOOL_MISSING',
            options.installHint === undefined
              ? `${command} is not installed`
              : worded`${command} is not installed (${options.installHint})`,
            { cause: error },
          ),
        );
      } else {
        reject(
          new HpvsError('RUNTIME_FAILED', `cannot run ${command}: ${error.message}`, {
            cause: error,
          }),
        );
      }
    });
    child.on('close', (code, signal) => {
      resolve({
        status: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
