// Boot to a running container: wall time from spawning `hpvs-ctl emulator boot --runtime podman
// --keep-running` to the line HPL10001I, for an encrypted, signed contract whose compose service
// is a busybox image pulled by digest, with credentials, from a local docker-registry (TLS,
// htpasswd). The image is removed from local storage before every boot, so each boot pulls it.
// Between boots `hpvs-ctl emulator stop` removes the container and its pod.
//
//   npm run build && node bench/emulator-podman.mjs [boots]      (default 7)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustRegistryCa } from '../scripts/lib/docker-registry.mjs';
import { freeLoopbackPort, stopChild } from '../scripts/lib/log-server-process.mjs';
import { probePodman, removeImage, serveImage } from '../scripts/lib/podman-workload.mjs';
import { story } from '../scripts/lib/story.mjs';
import {
  builtCli,
  cliRunner,
  countArguments,
  median,
  startSyslogReceiver,
  timeBoot,
  writeSyslogEnv,
  writeVolumeWorkload,
} from './bench-setup.mjs';

const [boots] = countArguments('node bench/emulator-podman.mjs [boots]', 7);
const cli = builtCli();
const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-podman-'));
const hpvs = cliRunner(cli, work);

let server;
let registry;
let podman;
try {
  podman = probePodman(work);
  if (podman.skip !== undefined) {
    console.log(`bench/emulator-podman.mjs: skipped, ${podman.skip}`);
    process.exit(0);
  }
  const port = await freeLoopbackPort();
  hpvs(...story.emulatorInit({ state: 'hpcr' }));
  hpvs(...story.keysGenerate({ outDir: 'keys', name: 'signing' }));
  hpvs(...story.certsSyslog({ ip: '127.0.0.1', outDir: 'tls', bits: 2048 }));
  hpvs(...story.certsSyslog({ ip: '127.0.0.1', outDir: 'registry-tls', bits: 2048 }));
  const password = 'bench-registry-password';
  registry = await serveImage({
    work,
    local: podman.local,
    env: podman.env,
    tlsDir: join(work, 'registry-tls'),
    username: 'bench',
    password,
  });
  // from now on only the registry has the image: every boot pulls it
  removeImage(podman.env, podman.id);
  mkdirSync(join(work, 'app'));
  writeFileSync(
    join(work, 'app/docker-compose.yaml'),
    `services:\n  app:\n    image: ${registry.image}\n    volumes: ["/mnt/data:/data"]\n    command: ["/bin/sh", "-c", "echo up; exec sleep 600"]\n`,
  );
  writeFileSync(
    join(work, 'auths.yaml'),
    `${registry.host}:\n  username: bench\n  password: ${password}\n`,
    {
      mode: 0o600,
    },
  );
  writeVolumeWorkload(hpvs, work, { compose: 'app', auths: 'auths.yaml' });
  writeSyslogEnv(hpvs, work, port);
  trustRegistryCa(join(work, 'env.yaml'), join(work, 'registry-tls/ca.crt'));
  hpvs(
    ...story.contract({
      workload: 'workload.enc',
      env: 'env.yaml',
      cert: 'hpcr/public/encrypt.crt',
      signKey: 'keys/signing-private.pem',
      out: 'user-data.yaml',
    }),
  );
  server = await startSyslogReceiver(cli, work, port);
  const times = [];
  for (let i = 0; i <= boots; i++) {
    const outDir = `out-${i}`;
    const ms = await timeBoot(
      cli,
      work,
      story.emulatorBoot({
        userData: 'user-data.yaml',
        state: 'hpcr',
        runtime: 'podman',
        podmanConfig: podman.config,
        keepRunning: true,
        outDir,
      }),
    );
    hpvs(...story.emulatorStop({ outDir }));
    removeImage(podman.env, registry.image);
    // the first boot warms up podman's own pause image and caches
    if (i > 0) times.push(ms);
  }
  console.log(
    `emulator boot --runtime podman to HPL10001I (pull by digest + pod + running busybox), ${boots} boots, Node ${process.version}, ${podman.config} containers.conf\n`,
  );
  console.log(`| median | min | max |`);
  console.log(`| ------ | --- | --- |`);
  console.log(
    `| ${median(times).toFixed(0)} ms | ${Math.min(...times).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms |`,
  );
} finally {
  await stopChild(server);
  await registry?.stop();
  if (podman?.skip === undefined && podman !== undefined) removeImage(podman.env, podman.id);
  if (process.env.BENCH_KEEP) console.log(work);
  else rmSync(work, { recursive: true, force: true });
}
