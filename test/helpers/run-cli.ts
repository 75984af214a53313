import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/hpvs-ctl.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  /** The run outlived `timeoutMs` and was killed. */
  timedOut: boolean;
  /** The signal that ended the child, if one did (a memory cap aborts with SIGABRT). */
  signal: NodeJS.Signals | null;
}

export interface CliOptions {
  /** Bytes to write, or a stream to pipe (an endless one is cut off when the child exits). */
  stdin?: string | Uint8Array | Readable;
  env?: Record<string, string>;
  cwd?: string;
  /** Run under this umask (octal text, e.g. "077"), set by a shell that then execs node. */
  umask?: string;
  /** Standard input redirected from this file (as `< FILE` does), instead of a pipe. */
  stdinFile?: string;
  /** Options for node itself, before the script (e.g. `--max-old-space-size=256`). */
  nodeArgs?: string[];
  /** Kill the child after this long: a hang becomes a failure instead of a stuck suite. */
  timeoutMs?: number;
  /**
   * A kernel limit on the child's data segment (`ulimit -d`, which since Linux 4.7 counts
   * anonymous mappings too): unlike the V8 heap cap it also bounds Buffers, so a command that
   * reads an endless input into memory dies at the limit instead of exhausting the machine.
   */
  dataLimitMb?: number;
  /** A kernel limit on the child's open files (`ulimit -n`). */
  openFilesLimit?: number;
}

/** Spawns the built binary (`npm run build` first) and collects its output and exit code. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const nodeArgs = [...(options.nodeArgs ?? []), CLI, ...args];
    // a shell sets the umask and the data limit, then execs node
    const limits = [
      ...(options.umask === undefined ? [] : [`umask ${options.umask}`]),
      ...(options.dataLimitMb === undefined ? [] : [`ulimit -d ${options.dataLimitMb * 1024}`]),
      ...(options.openFilesLimit === undefined ? [] : [`ulimit -n ${options.openFilesLimit}`]),
    ];
    const [command, commandArgs] =
      limits.length === 0
        ? [process.execPath, nodeArgs]
        : [
            '/bin/sh',
            ['-c', `${limits.join(' && ')} && exec "$0" "$@"`, process.execPath, ...nodeArgs],
          ];
    const stdio: StdioOptions = [
      options.stdinFile === undefined ? 'pipe' : openSync(options.stdinFile, 'r'),
      'pipe',
      'pipe',
    ];
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (typeof options.stdin === 'object' && 'unpipe' in options.stdin && child.stdin) {
        options.stdin.unpipe(child.stdin);
      }
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        timedOut,
        signal,
      });
    });
    if (typeof stdio[0] === 'number') closeSync(stdio[0]);
    child.stdin?.on('error', () => undefined);
    if (typeof options.stdin === 'object' && 'pipe' in options.stdin) {
      if (child.stdin) options.stdin.pipe(child.stdin);
    } else {
      child.stdin?.end(options.stdin ?? '');
    }
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
