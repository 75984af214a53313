// What every benchmark script starts with: its counts from the command line and the built CLI;
// and what the emulator benchmarks share: running the CLI, timing a boot, the median.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLogServer } from '../scripts/lib/log-server-process.mjs';
import { story } from '../scripts/lib/story.mjs';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Reads positive whole numbers from `process.argv` (the defaults where absent), or prints the
 * usage line and exits 2.
 */
export function countArguments(usage, ...defaults) {
  const counts = defaults.map((fallback, index) => Number(process.argv[2 + index] ?? fallback));
  if (counts.some((count) => !Number.isInteger(count) || count < 1)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return counts;
}

/** The path of bin/hpvs-ctl.js, after checking that `npm run build` has made dist/. */
export function builtCli() {
  if (!existsSync(join(projectRoot, 'dist/cli.cjs'))) {
    console.error('dist/cli.cjs is missing: run `npm run build` first');
    process.exit(1);
  }
  return join(projectRoot, 'bin/hpvs-ctl.js');
}

/** Runs the built CLI in `cwd` and returns its stdout; throws with its output on a non-zero exit. */
export function cliRunner(cli, cwd) {
  return (...args) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`hpvs-ctl ${args[0]}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };
}

/** Milliseconds from spawning the CLI in `cwd` to the HPL10001I line on its stdout. */
export function timeBoot(cli, cwd, args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let out = '';
    let at;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (at === undefined && out.includes('HPL10001I')) at = process.hrtime.bigint();
    });
    child.once('close', (code) =>
      code === 0 && at !== undefined
        ? resolve(Number(at - start) / 1e6)
        : reject(new Error(`boot exited ${code}:\n${out}`)),
    );
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * workload.enc as both emulator benchmarks boot with it: the compose folder `compose` (with the
 * registry credentials `auths` when given) and the volume `data` mounted at /mnt/data with its
 * workload seed, encrypted for the emulator state `hpcr`.
 */
export function writeVolumeWorkload(hpvs, cwd, { compose, auths }) {
  writeFileSync(join(cwd, 'workload.seed'), 'bench-workload-seed-0123456789', { mode: 0o600 });
  hpvs(
    ...story.workload({
      compose,
      auths,
      volume: 'data',
      mount: '/mnt/data',
      seedFile: 'workload.seed',
      cert: 'hpcr/public/encrypt.crt',
      out: 'workload.enc',
    }),
  );
}

/**
 * env.yaml as both emulator benchmarks boot with it: syslog over mutual TLS (the files of
 * `certs syslog --out-dir tls`) to 127.0.0.1:`port`, and the volume `data` with its env seed.
 */
export function writeSyslogEnv(hpvs, cwd, port) {
  writeFileSync(join(cwd, 'env.seed'), 'bench-env-seed-0123456789abc', { mode: 0o600 });
  hpvs(
    ...story.env({
      syslogHost: '127.0.0.1',
      syslogPort: port,
      syslogCa: 'tls/ca.crt',
      syslogCert: 'tls/client.crt',
      syslogKey: 'tls/client-key.pem',
      volume: 'data',
      seedFile: 'env.seed',
      out: 'env.yaml',
    }),
  );
}

/** `emulator log-server` on `port` with the server side of the same `tls` files; its child. */
export async function startSyslogReceiver(cli, cwd, port) {
  const { child } = await startLogServer({
    cli,
    cwd,
    port,
    ca: 'tls/ca.crt',
    cert: 'tls/server.crt',
    key: 'tls/server-key.pem',
    out: 'received.log',
  });
  return child;
}
