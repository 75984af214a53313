// Boot time of the emulator: wall time from spawning `hpvs-ctl emulator boot` to the line
// HPL10001I, for a realistic contract (RSA-4096 identity, encrypted and signed sections, an
// attestation key, syslog over mutual TLS to `emulator log-server`, a LUKS2 volume image with
// --fast-kdf). The first boot of each image formats it; the others unlock it.
//
//   npm run build && node bench/emulator-boot.mjs [boots]      (default 10)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, startLogServer, stopChild } from '../scripts/lib/log-server-process.mjs';
import { builtCli, countArguments, projectRoot } from './bench-setup.mjs';

const root = projectRoot;
const [boots] = countArguments('node bench/emulator-boot.mjs [boots]', 10);
const cli = builtCli();
const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-boot-'));

function hpvs(...args) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`hpvs-ctl ${args[0]}: ${result.stderr}${result.stdout}`);
}

/** Milliseconds from spawn to the HPL10001I line on stdout. */
function timeBoot(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], { cwd: work });
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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

let server;
try {
  const port = await freeLoopbackPort();
  writeFileSync(join(work, 'workload.seed'), 'bench-workload-seed-0123456789', { mode: 0o600 });
  writeFileSync(join(work, 'env.seed'), 'bench-env-seed-0123456789abc', { mode: 0o600 });
  hpvs('emulator', 'init', '--state', 'hpcr');
  hpvs('keys', 'generate', '--out-dir', 'keys', '--name', 'attestation');
  hpvs('keys', 'generate', '--out-dir', 'keys', '--name', 'signing');
  hpvs('certs', 'syslog', '--ip', '127.0.0.1', '--out-dir', 'tls');
  hpvs(
    'workload',
    '--compose',
    join(root, 'templates', 'compose'),
    '--volume',
    'data',
    '--mount',
    '/mnt/data',
    '--seed-file',
    'workload.seed',
    '--cert',
    'hpcr/public/encrypt.crt',
    '--out',
    'workload.enc',
  );
  hpvs(
    'env',
    '--syslog-host',
    '127.0.0.1',
    '--syslog-port',
    String(port),
    '--syslog-ca',
    'tls/ca.crt',
    '--syslog-cert',
    'tls/client.crt',
    '--syslog-key',
    'tls/client-key.pem',
    '--volume',
    'data',
    '--seed-file',
    'env.seed',
    '--out',
    'env.yaml',
  );
  hpvs(
    'contract',
    '--workload',
    'workload.enc',
    '--env',
    'env.yaml',
    '--attestation-key',
    'keys/attestation-public.pem',
    '--cert',
    'hpcr/public/encrypt.crt',
    '--sign-key',
    'keys/signing-private.pem',
    '--out',
    'user-data.yaml',
  );
  ({ child: server } = await startLogServer({
    cli,
    cwd: work,
    port,
    ca: 'tls/ca.crt',
    cert: 'tls/server.crt',
    key: 'tls/server-key.pem',
    out: 'received.log',
  }));

  const boot = (image, out) =>
    timeBoot([
      'emulator',
      'boot',
      'user-data.yaml',
      '--state',
      'hpcr',
      '--volume-image',
      image,
      '--fast-kdf',
      '--out-dir',
      out,
    ]);
  await boot('warmup.img', 'warmup');
  const first = [];
  const again = [];
  for (let i = 0; i < boots; i++) {
    first.push(await boot(`data-${i}.img`, `out-${i}`));
    again.push(await boot(`data-${i}.img`, `out-${i}`));
  }
  const row = (name, values) =>
    `| ${name.padEnd(30)} | ${median(values).toFixed(0).padStart(6)} ms | ${Math.max(...values)
      .toFixed(0)
      .padStart(6)} ms |`;
  console.log(`emulator boot to HPL10001I, ${boots} boots each, Node ${process.version}\n`);
  console.log(`| ${'boot'.padEnd(30)} | ${'median'.padStart(9)} | ${'max'.padStart(9)} |`);
  console.log(`| ${'-'.repeat(30)} | ${'-'.repeat(9)} | ${'-'.repeat(9)} |`);
  console.log(row('first boot (luksFormat)', first));
  console.log(row('later boot (unlock)', again));
} finally {
  await stopChild(server);
  rmSync(work, { recursive: true, force: true });
}
