// Boot time of the emulator: wall time from spawning `hpvs-ctl emulator boot` to the line
// HPL10001I, for a realistic contract (RSA-4096 identity, encrypted and signed sections, an
// attestation key, syslog over mutual TLS to `emulator log-server`, a LUKS2 volume image with
// --fast-kdf). The first boot of each image formats it; the others unlock it.
//
//   npm run build && node bench/emulator-boot.mjs [boots]      (default 10)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, stopChild } from '../scripts/lib/log-server-process.mjs';
import { story } from '../scripts/lib/story.mjs';
import {
  builtCli,
  cliRunner,
  countArguments,
  median,
  startSyslogReceiver,
  projectRoot,
  timeBoot,
  writeSyslogEnv,
  writeVolumeWorkload,
} from './bench-setup.mjs';

const root = projectRoot;
const [boots] = countArguments('node bench/emulator-boot.mjs [boots]', 10);
const cli = builtCli();
const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-boot-'));
const hpvs = cliRunner(cli, work);

let server;
try {
  const port = await freeLoopbackPort();
  hpvs(...story.emulatorInit({ state: 'hpcr' }));
  hpvs(...story.keysGenerate({ outDir: 'keys', name: 'attestation' }));
  hpvs(...story.keysGenerate({ outDir: 'keys', name: 'signing' }));
  hpvs(...story.certsSyslog({ ip: '127.0.0.1', outDir: 'tls' }));
  writeVolumeWorkload(hpvs, work, { compose: join(root, 'templates', 'compose') });
  writeSyslogEnv(hpvs, work, port);
  hpvs(
    ...story.contract({
      workload: 'workload.enc',
      env: 'env.yaml',
      attestationKey: 'keys/attestation-public.pem',
      cert: 'hpcr/public/encrypt.crt',
      signKey: 'keys/signing-private.pem',
      out: 'user-data.yaml',
    }),
  );
  server = await startSyslogReceiver(cli, work, port);

  const boot = (image, outDir) =>
    timeBoot(
      cli,
      work,
      story.emulatorBoot({
        userData: 'user-data.yaml',
        state: 'hpcr',
        volumeImage: image,
        fastKdf: true,
        outDir,
      }),
    );
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
