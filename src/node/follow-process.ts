import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FollowedProcess {
  /** Resolves with the exit status once the program ended and its output was read. */
  readonly done: Promise<number>;
  /** Ends the program (SIGTERM) and resolves when it is gone. */
  stop(): Promise<number>;
}

const MAX_LINE = 16 * 1024;

/**
 * Runs a long-lived program (`podman logs --follow`, `podman wait`) and hands each line of its
 * output to `onLine` as it arrives. Lines are cut at 16 KiB so a program without newlines cannot
 * grow memory without bound.
 */
export function followProcess(
  command: string,
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  } = {},
): FollowedProcess {
  const child = spawn(command, args, {
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const streams = (['stdout', 'stderr'] as const).map(
    (name) =>
      new Promise<void>((resolve) => {
        const reader = createInterface({ input: child[name], crlfDelay: Infinity });
        reader.on('line', (line) => options.onLine?.(line.slice(0, MAX_LINE), name));
        reader.once('close', resolve);
      }),
  );
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  const done = Promise.all([exited, ...streams]).then(([status]) => status);
  return {
    done,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}
