// `npm run demo`: the whole HPVS story on this machine, narrated, with the built CLI only.
// The runtime is hpvs-ctl's emulator; everything runs in a temporary folder that is removed at
// the end (pass --keep to keep it). No network beyond 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { trustRegistryCa } from './lib/docker-registry.mjs';
import {
  freeLoopbackPort,
  receivedLog,
  startLogServer,
  stopChild,
} from './lib/log-server-process.mjs';
import { probePodman, removeImage, serveImage } from './lib/podman-workload.mjs';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bold,
  chapter,
  cliRunner,
  dim,
  green,
  printSummary,
  red,
  say,
} from './lib/demo-narration.mjs';
import { emulatorChain, recordFiles, story } from './lib/story.mjs';

const platformAt = process.argv.indexOf('--platform');
if (platformAt > 0 && process.argv[platformAt + 1] === 'ccco') {
  // the confidential-containers story has its own script
  await import('./demo-ccco.mjs');
  process.exit();
}

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'hpvs-ctl.js');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'hpvs-demo-'));
const started = Date.now();
const summary = [];
let logServer;
// The LUKS2 part needs cryptsetup; on a machine without it the demo still plays the whole
// story and says what it left out, instead of failing on the first command that needs it.
const hasCryptsetup =
  spawnSync('sh', ['-c', 'command -v cryptsetup'], { stdio: 'ignore' }).status === 0;
let boots = 0;
// With a podman that can run containers here, the boots start a real container pulled from a
// local registry; otherwise the emulator's plan runtime checks the workload and starts nothing.
let podman;
let registry;

const hpvs = cliRunner(cli, work);

function secretFile(path, length = 24) {
  // seeds from the runtime's allowed characters, never shown
  writeFileSync(path, randomBytes(length).toString('hex'), { mode: 0o600 });
}

function runtimeOptions() {
  return podman ? { runtime: 'podman', podmanConfig: podman.config } : {};
}

/** Boots the same contract again: the LUKS2 image must reopen with the two seeds. */
function secondBoot() {
  chapter('Runtime', 'a second boot reopens the same LUKS2 volume with the two seeds');
  const console2 = hpvs(
    story.emulatorBoot({
      userData: 'user-data.yaml',
      state: 'hpcr',
      volumeImage: 'data.img',
      outDir: 'instance2',
      ...runtimeOptions(),
    }),
    { show: 0 },
  );
  for (const line of console2
    .split('\n')
    .filter((l) => /volume data|HPL07003I|HPL10001I/.test(l))) {
    console.log(`     ${/HPL/.test(line) ? green(line) : dim(line)}`);
  }
  summary.push(['second boot: LUKS2 volume reopened with the seeds', 'data.img']);
  boots++;
}

async function main() {
  console.log(bold('hpvs-ctl demo: one HPVS deployment, end to end, on this machine'));
  console.log(dim(`work folder: ${work}`));
  for (const dir of ['provider', 'auditor', 'deployer'])
    mkdirSync(join(work, dir), { mode: 0o700 });

  chapter('Runtime', 'the emulator creates its identity, as IBM does per image version');
  hpvs(story.emulatorInit({ state: 'hpcr' }), { show: 3 });
  say('providers and deployers receive hpcr/public/encrypt.crt; auditors the chain and CRLs');
  summary.push(['emulated HPCR identity (RSA-4096, sha512, CRLs)', 'hpcr/public/']);

  const probe = probePodman(work);
  let composeDir = join(root, 'templates', 'compose');
  let auths;
  if (probe.skip === undefined) {
    podman = probe;
    chapter(
      'Workload Provider',
      'publishes a busybox image to a private registry (TLS, htpasswd) and pins it by digest',
    );
    hpvs(story.certsSyslog({ ip: '127.0.0.1', outDir: 'registry-tls', bits: 2048 }), { show: 0 });
    const password = randomBytes(12).toString('hex');
    registry = await serveImage({
      work,
      local: podman.local,
      env: podman.env,
      tlsDir: join(work, 'registry-tls'),
      username: 'provider',
      password,
    });
    say(`docker-registry on ${registry.host}; the workload names ${registry.image}`);
    composeDir = join(work, 'provider', 'app');
    mkdirSync(composeDir);
    writeFileSync(
      join(composeDir, 'docker-compose.yaml'),
      [
        'services:',
        '  hello:',
        `    image: ${registry.image}`,
        '    environment:',
        '      GREETING: ${GREETING}',
        '    volumes: ["/mnt/data:/data"]',
        '    command:',
        '      - /bin/sh',
        '      - -c',
        `      - 'echo "$$GREETING, written by $$(hostname)" > /data/hello.txt; echo "$$GREETING from a real container"'`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(work, 'provider', 'auths.yaml'),
      `${registry.host}:\n  username: provider\n  password: ${password}\n`,
      { mode: 0o600 },
    );
    auths = 'provider/auths.yaml';
    summary.push([`container runtime: podman (${podman.config} containers.conf)`, registry.host]);
  } else {
    summary.push([`container runtime: plan only (${probe.skip})`, 'no container started', 'skip']);
  }

  chapter('Workload Provider', 'archives the compose app and encrypts the workload section');
  secretFile(join(work, 'provider', 'workload.seed'));
  hpvs(
    story.workload({
      compose: composeDir,
      auths,
      volume: 'data',
      mount: '/mnt/data',
      seedFile: 'provider/workload.seed',
      env: 'GREETING=hello from the demo',
      cert: 'hpcr/public/encrypt.crt',
      out: 'provider/workload.enc',
    }),
  );
  say(
    `hands over only provider/workload.enc (${readFileSync(join(work, 'provider/workload.enc')).length} bytes, encrypted)`,
  );
  summary.push(['workload: compose archive + volume seed, encrypted', 'provider/workload.enc']);

  chapter('Auditor', 'generates the attestation key pair');
  hpvs(story.keysGenerate({ outDir: 'auditor', name: 'attestation' }), { show: 2 });

  chapter('Workload Deployer', 'makes syslog TLS certificates, builds env, assembles and signs');
  const port = await freeLoopbackPort();
  hpvs(story.certsSyslog({ ip: '127.0.0.1', outDir: 'deployer/syslog' }), { show: 0 });
  say('deployer/syslog: ca.crt, server.crt, server-key.pem, client.crt, client-key.pem');
  hpvs(story.keysGenerate({ outDir: 'deployer', name: 'signing' }), { show: 0 });
  secretFile(join(work, 'deployer', 'env.seed'));
  hpvs(
    story.env({
      syslogHost: '127.0.0.1',
      syslogPort: port,
      syslogCa: 'deployer/syslog/ca.crt',
      syslogCert: 'deployer/syslog/client.crt',
      syslogKey: 'deployer/syslog/client-key.pem',
      volume: 'data',
      seedFile: 'deployer/env.seed',
      env: 'STAGE=demo',
      out: 'deployer/env.yaml',
    }),
    { show: 0 },
  );
  if (registry) {
    // the private registry's CA, so the runtime trusts it for the pull
    trustRegistryCa(join(work, 'deployer/env.yaml'), join(work, 'registry-tls/ca.crt'));
  }
  hpvs(
    story.contract({
      workload: 'provider/workload.enc',
      env: 'deployer/env.yaml',
      attestationKey: 'auditor/attestation-public.pem',
      cert: 'hpcr/public/encrypt.crt',
      signKey: 'deployer/signing-private.pem',
      out: 'user-data.yaml',
    }),
    { show: 2 },
  );
  hpvs(story.validate({ file: 'user-data.yaml' }), { show: 2 });
  summary.push(['user-data.yaml: encrypted env, attestation key, signed', 'user-data.yaml']);

  chapter('Workload Deployer', 'starts a TLS syslog receiver that requires client certificates');
  const receiver = await startLogServer({
    cli,
    cwd: work,
    port,
    ca: 'deployer/syslog/ca.crt',
    cert: 'deployer/syslog/server.crt',
    key: 'deployer/syslog/server-key.pem',
    out: 'received.log',
  });
  console.log(dim(`   $ hpvs-ctl ${receiver.args.join(' ')} &`));
  console.log(dim(`     ${receiver.banner}`));
  logServer = receiver.child;

  chapter(
    'Runtime',
    hasCryptsetup
      ? 'boots the contract with a LUKS2 data volume'
      : 'boots the contract (cryptsetup is not installed, so no LUKS2 volume image: apt-get install cryptsetup-bin to include it)',
  );
  const volumeOptions = hasCryptsetup ? { volumeImage: 'data.img', fastKdf: true } : {};
  const console1 = hpvs(
    story.emulatorBoot({
      userData: 'user-data.yaml',
      state: 'hpcr',
      ...volumeOptions,
      outDir: 'instance',
      ...runtimeOptions(),
    }),
    { show: 0 },
  );
  boots++;
  for (const line of console1.trimEnd().split('\n')) {
    console.log(
      `     ${/HPL\d{5}E/.test(line) ? red(line) : /HPL\d{5}I/.test(line) ? green(line) : dim(line)}`,
    );
  }
  summary.push(['boot: services succeeded (HPL10001I)', 'instance/var/log/hpcr-console.log']);
  if (podman) {
    const written = readFileSync(join(work, 'instance/volumes/data/hello.txt'), 'utf8').trim();
    say(`the container wrote instance/volumes/data/hello.txt: "${written}"`);
    summary.push([
      'container pulled by digest with auths, ran, wrote the volume folder',
      'instance/volumes/data/',
    ]);
  }

  if (hasCryptsetup) secondBoot();
  else summary.push(['second boot: LUKS2 volume reopened (needs cryptsetup)', 'skipped', 'skip']);

  chapter('Attacker', 'changes one character of the signed contract; the runtime refuses it');
  const text = readFileSync(join(work, 'user-data.yaml'), 'utf8');
  const tampered = text.replace(
    /^(envWorkloadSignature: \S{20})(\S)/m,
    (_m, head, c) => head + (c === 'A' ? 'B' : 'A'),
  );
  writeFileSync(join(work, 'user-data-tampered.yaml'), tampered);
  const console3 = hpvs(
    story.emulatorBoot({ userData: 'user-data-tampered.yaml', state: 'hpcr', outDir: 'instance3' }),
    { show: 0, expectExit: 1 },
  );
  boots++;
  for (const line of console3.split('\n').filter((l) => /HPL\d{5}E/.test(l)))
    console.log(`     ${red(line)}`);
  summary.push(['tampered contract refused (HPL12001E, HPL10000E)', 'exit 1']);

  const received = await receivedLog(join(work, 'received.log'), 'HPL10000E');
  await stopChild(logServer);
  const messages = received.trimEnd().split('\n').filter(Boolean);
  if (!received.includes('HPL10001I'))
    throw new Error('the log server did not receive the boot log');
  if (podman && !received.includes('from a real container'))
    throw new Error("the log server did not receive the container's output");
  say(
    `the deployer's log server received ${messages.length} RFC 5424 messages over mutual TLS from the ${boots} boots, e.g.:`,
  );
  console.log(dim(`     ${messages.find((m) => m.includes('HPL01010I'))}`));
  if (podman) console.log(dim(`     ${messages.find((m) => m.includes('from a real container'))}`));
  summary.push([
    `logs: ${messages.length} messages at the deployer's syslog receiver`,
    'received.log',
  ]);

  chapter(
    'Auditor',
    'verifies the attestation record: decryption, signature, chain, CRLs, contract',
  );
  const record = 'instance/var/hyperprotect';
  hpvs(
    story.attestationVerify({
      ...recordFiles(record),
      key: 'auditor/attestation-private.pem',
      ...emulatorChain('hpcr'),
      contract: 'user-data.yaml',
      reference: 'hpcr/public/reference.txt',
    }),
    { show: 20 },
  );
  summary.push(['attestation: verified against chain, CRLs, contract, reference', `${record}/`]);

  printSummary(summary, started);
  console.log(
    dim(
      keep
        ? `\nfiles kept in ${work}`
        : '\n(the work folder is removed; node scripts/demo.mjs --keep keeps it)',
    ),
  );
}

try {
  await main();
} catch (error) {
  console.error(`\n${red('demo failed:')} ${error.message}`);
  process.exitCode = 1;
} finally {
  await stopChild(logServer);
  await registry?.stop();
  if (podman) removeImage(podman.env, podman.id);
  if (!keep) rmSync(work, { recursive: true, force: true });
}
