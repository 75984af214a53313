import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/hpvs-ctl.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface CliOptions {
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  cwd?: string;
  /** Run under this umask (octal text, e.g. "077"), set by a shell that then execs node. */
  umask?: string;
  /** Standard input redirected from this file (as `< FILE` does), instead of a pipe. */
  stdinFile?: string;
}

/** Spawns the built binary (`npm run build` first) and collects its output and exit code. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] =
      options.umask === undefined
        ? [process.execPath, [CLI, ...args]]
        : [
            '/bin/sh',
            ['-c', 'umask "$0" && exec "$@"', options.umask, process.execPath, CLI, ...args],
          ];
    const stdio: StdioOptions = [
      options.stdinFile === undefined ? 'pipe' : openSync(options.stdinFile, 'r'),
      'pipe',
      'pipe',
    ];
    const child = spawn(command, argv, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
      });
    });
    if (typeof stdio[0] === 'number') closeSync(stdio[0]);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}

/** True when stderr is a clean one-line error: no stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n');
  return (
    lines[0]!.startsWith('hpvs-ctl: error: ') &&
    !stderr.includes('    at ') &&
    lines.filter((line) => line.startsWith('hpvs-ctl: error:')).length === 1
  );
}
