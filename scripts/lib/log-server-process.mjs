// Helpers the demo and the benchmarks share: a free loopback port and `hpvs-ctl emulator
// log-server` as a child process that is ready once it says it listens.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { story } from './story.mjs';

export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the log server from `cli` in `cwd` with the given TLS files; resolves with the child
 * and the line it printed once it listens, rejects if it exits first.
 */
export function startLogServer({ cli, cwd, port, ca, cert, key, out }) {
  const args = story.logServer({ port, ca, cert, key, out });
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let ready = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!ready && stderr.includes('listening on')) {
        ready = true;
        resolve({ child, args, banner: stderr.trim().split('\n')[0] });
      }
    });
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`log server exited ${code}: ${stderr}`));
    });
  });
}

/**
 * The text of the log server's `--out` file once it holds `text`, or what it holds after five
 * seconds (the caller checks what it needs).
 */
export async function receivedLog(path, text) {
  const deadline = Date.now() + 5000;
  let received = '';
  while (Date.now() < deadline && !received.includes(text)) {
    try {
      received = readFileSync(path, 'utf8');
    } catch {
      // not created before the first message
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received;
}

/** Stops a child this script started and waits for it to exit. */
export async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
