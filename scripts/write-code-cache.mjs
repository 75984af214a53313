// Writes dist/cli.cjs.cache, V8's code cache of the CLI (see bin/load-cli.js): compiles
// dist/cli.cjs from source, runs the commands people run one at a time (a signed, encrypted
// contract and what it is made of), then saves the bytecode of every function that ran, so a
// later run of these commands starts with it compiled. Run by scripts/build.mjs in a process of
// its own (the cache must come from a fresh compilation of the bundle); a command that fails
// here fails the build.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_FILE, CODE_CACHE_FILE, loadCli } from '../bin/load-cli.js';
import { story } from './lib/story.mjs';

const root = new URL('..', import.meta.url).pathname;
const { cli, script, buildId } = loadCli({ useCodeCache: false });
if (buildId === undefined) throw new Error(`${CLI_FILE} has no build id`);

const work = mkdtempSync(join(tmpdir(), 'hpvs-ctl-code-cache-'));
try {
  const file = (name) => join(work, name);
  // the key's size does not change which code runs; 2048 bits keep the build quick
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(file('sign.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  writeFileSync(
    file('workload.yaml'),
    readFileSync(join(root, 'templates/workload-compose.yaml'), 'utf8').replace(
      'REPLACE-with-a-random-workload-seed',
      'codeCacheWorkloadSeed0123456789',
    ),
  );
  writeFileSync(
    file('env.yaml'),
    [
      'type: env',
      'logging:',
      '  logRouter:',
      '    hostname: example.logs.cloud.ibm.com',
      '    iamApiKey: example-api-key',
      '    port: 443',
      'volumes:',
      '  data:',
      '    seed: codeCacheEnvSeed0123456789',
      '',
    ].join('\n'),
  );
  const cert = join(
    root,
    'certs/ibm/hpvs/ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
  );
  const commands = [
    story.contract({
      workload: file('workload.yaml'),
      env: file('env.yaml'),
      cert,
      signKey: file('sign.pem'),
      out: file('user-data.yaml'),
    }),
  ];
  for (const argv of commands) {
    process.exitCode = undefined;
    const status = await cli.main(argv);
    if (status !== 0) throw new Error(`hpvs-ctl ${argv[0]} failed (exit ${status})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const temporary = `${CODE_CACHE_FILE}.${process.pid}.tmp`;
writeFileSync(temporary, Buffer.concat([Buffer.from(`${buildId}\n`), script.createCachedData()]));
renameSync(temporary, CODE_CACHE_FILE);
process.exitCode = 0;
