import { spawnSync } from 'node:child_process';

/** True when an external program (openssl, cryptsetup, rsyslogd, tar) is on PATH. */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export interface ToolResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program synchronously with optional stdin bytes. */
export function runTool(command: string, args: string[], input?: Uint8Array | string): ToolResult {
  const result = spawnSync(command, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr.toString('utf8'),
  };
}
