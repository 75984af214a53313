// `npm run demo -- --platform ccco`: a confidential-containers (CCCO) deployment, end to end on
// this machine, with the built CLI only: sealed secret, agent policy, signed encrypted contract,
// initdata on a Deployment, and the emulator playing the peer-pod VM (logs over mutual TLS,
// attestation record). Runs in a temporary folder, removed at the end unless --keep.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import {
  freeLoopbackPort,
  receivedLog,
  startLogServer,
  stopChild,
} from './lib/log-server-process.mjs';
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

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'hpvs-ctl.js');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'hpvs-demo-ccco-'));
const started = Date.now();
const summary = [];
let logServer;

const hpvs = cliRunner(cli, work);

const IMAGE = 'quay.io/example/orders:1.4.2';
const deployment = (command, sealed) =>
  stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'orders' } },
      template: {
        metadata: { labels: { app: 'orders' } },
        spec: {
          runtimeClassName: 'kata-remote',
          containers: [
            {
              name: 'orders',
              image: IMAGE,
              command,
              env: [{ name: 'DB_PASSWORD', value: sealed }],
            },
          ],
        },
      },
    },
  });

async function main() {
  console.log(
    bold('hpvs-ctl demo: a confidential-containers (ccco) pod, end to end, on this machine'),
  );
  console.log(dim(`work folder: ${work}`));

  chapter('Runtime', 'the emulator plays a ccco peer-pod VM with its own identity');
  // 2048-bit keys keep the demo to seconds; IBM's (and the default here) are 4096
  hpvs(story.emulatorInit({ state: 'peerpod', platform: 'ccco', keyBits: 2048 }), { show: 2 });
  summary.push(['emulated ccco runtime identity', 'peerpod/public/']);

  chapter('Application owner', 'seals the database password for the pod (RSA-4096 keys, 0600)');
  hpvs(['secrets', 'keys', '--out-dir', 'seal-keys'], { show: 5 });
  writeFileSync(join(work, 'db-password.txt'), 'correct horse battery staple\n', { mode: 0o600 });
  const sealed = hpvs(
    [
      'secrets',
      'seal',
      '--type',
      'workload',
      '--in',
      'db-password.txt',
      '--encryption-key',
      'seal-keys/seal-encryption-public.pem',
      '--signing-key',
      'seal-keys/seal-signing-private.pem',
    ],
    { show: 0 },
  ).trim();
  say(`sealed value (${sealed.length} characters): ${sealed.slice(0, 60)}...`);
  summary.push(['secret sealed (RS512 JWS over AES-256-GCM)', 'Deployment env DB_PASSWORD']);

  const command = ['/usr/bin/orders', '--listen=:8080'];
  writeFileSync(join(work, 'deployment.yaml'), deployment(command, sealed));

  chapter('Application owner', 'generates the Kata agent policy from the Deployment');
  hpvs(['policy', 'generate', '--pod', 'deployment.yaml', '--out', 'policy.rego'], { show: 0 });
  const policyLines = readFileSync(join(work, 'policy.rego'), 'utf8').split('\n');
  const strict = policyLines.findIndex((line) => line.includes('count(args) == 2'));
  for (const line of policyLines.slice(strict - 2, strict + 4)) console.log(dim(`     ${line}`));
  const policy = hpvs(['policy', 'generate', '--pod', 'deployment.yaml', '--base64'], { show: 0 });
  summary.push(['agent policy: only this image with this command', 'policy.rego']);

  chapter('Application owner', 'writes the workload with confidential-containers and checks it');
  const secret = parse(
    readFileSync(join(work, 'seal-keys/confidential-containers-secret.yaml'), 'utf8'),
  );
  writeFileSync(
    join(work, 'workload.yaml'),
    stringify({
      type: 'workload',
      'confidential-containers': { regoValidator: { policy: policy.trim() }, ...secret },
    }),
    { mode: 0o600 },
  );
  hpvs(story.validate({ file: 'workload.yaml', section: 'workload', platform: 'ccco' }), {
    show: 1,
  });

  chapter('Deployer', 'syslog over mutual TLS, env, then the signed and encrypted contract');
  const port = await freeLoopbackPort();
  hpvs(story.certsSyslog({ ip: '127.0.0.1', outDir: 'syslog' }), { show: 0 });
  hpvs(story.keysGenerate({ outDir: 'deployer', name: 'signing', bits: 2048 }), { show: 0 });
  hpvs(story.keysGenerate({ outDir: 'auditor', name: 'attestation', bits: 2048 }), { show: 0 });
  hpvs(
    story.env({
      syslogHost: '127.0.0.1',
      syslogPort: port,
      syslogCa: 'syslog/ca.crt',
      syslogCert: 'syslog/client.crt',
      syslogKey: 'syslog/client-key.pem',
      out: 'env.yaml',
    }),
    { show: 0 },
  );
  hpvs(
    story.contract({
      workload: 'workload.yaml',
      env: 'env.yaml',
      attestationKey: 'auditor/attestation-public.pem',
      cert: 'peerpod/public/encrypt.crt',
      signKey: 'deployer/signing-private.pem',
      out: 'user-data.yaml',
    }),
    { show: 1 },
  );
  summary.push(['contract: encrypted for the runtime and signed', 'user-data.yaml']);

  chapter('Deployer', 'wraps the contract as initdata on the Deployment and inspects it');
  hpvs(
    story.initdataBuild({
      contract: 'user-data.yaml',
      pod: 'deployment.yaml',
      out: 'deployment-initdata.yaml',
    }),
    { show: 1 },
  );
  hpvs(['initdata', 'inspect', 'deployment-initdata.yaml'], { show: 6 });
  say('kubectl apply -f deployment-initdata.yaml would hand it to OpenShift sandboxed containers');
  summary.push(['initdata annotation on the pod template', 'deployment-initdata.yaml']);

  const receiver = await startLogServer({
    cli,
    cwd: work,
    port,
    ca: 'syslog/ca.crt',
    cert: 'syslog/server.crt',
    key: 'syslog/server-key.pem',
    out: 'received.log',
  });
  logServer = receiver.child;

  chapter(
    'Peer-pod VM',
    'decodes initdata, decrypts and verifies, opens the secret, admits the pod',
  );
  const boot = hpvs(
    story.emulatorBoot({
      initdata: 'deployment-initdata.yaml',
      state: 'peerpod',
      outDir: 'instance',
    }),
    { show: 0 },
  );
  for (const line of boot
    .split('\n')
    .filter((l) => /kata-agent|HPL15004I|HPL10001I|initdata/.test(l)))
    console.log(`     ${/HPL/.test(line) ? green(line) : dim(line)}`);
  summary.push(['boot: policy admitted the pod, secret opened (HPL10001I)', 'instance/']);

  chapter('Attacker', 'edits the pod to run a shell in the same image: the agent refuses it');
  writeFileSync(
    join(work, 'evil.yaml'),
    deployment(['/bin/sh', '-c', 'cat /proc/1/environ'], sealed),
  );
  const refused = hpvs(
    story.emulatorBoot({
      initdata: 'deployment-initdata.yaml',
      pod: 'evil.yaml',
      state: 'peerpod',
      outDir: 'instance-evil',
    }),
    { show: 0, expectExit: 1 },
  );
  for (const line of refused.split('\n').filter((l) => /blocked|HPL10000E/.test(l)))
    console.log(`     ${red(line)}`);
  summary.push(['changed command refused by the agent policy', 'exit 1']);

  const received = await receivedLog(join(work, 'received.log'), 'HPL10000E');
  await stopChild(logServer);
  if (!received.includes('HPL10001I'))
    throw new Error('the log server did not receive the boot log');
  const count = received.trimEnd().split('\n').length;
  say(`the syslog receiver got ${count} messages over mutual TLS`);
  summary.push([`logs: ${count} messages at the syslog receiver`, 'received.log']);

  chapter('Auditor', 'verifies the attestation record the peer-pod VM wrote');
  const record = 'instance/var/hyperprotect';
  hpvs(
    story.attestationVerify({
      ...recordFiles(record),
      key: 'auditor/attestation-private.pem',
      ...emulatorChain('peerpod'),
      contract: 'user-data.yaml',
    }),
    { show: 4 },
  );
  summary.push(['attestation: verified against chain, CRLs and contract', `${record}/`]);

  printSummary(summary, started);
  console.log(
    dim(keep ? `\nfiles kept in ${work}` : '\n(the work folder is removed; --keep keeps it)'),
  );
}

try {
  await main();
} catch (error) {
  console.error(`\n${red('demo failed:')} ${error.message}`);
  process.exitCode = 1;
} finally {
  await stopChild(logServer);
  if (!keep) rmSync(work, { recursive: true, force: true });
}
