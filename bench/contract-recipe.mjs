// What both contract benchmarks compare hpvs-ctl with: the seed document's openssl recipe
// (per contract: `openssl rand 32`, `openssl pkeyutl -encrypt` of it and `openssl enc
// -aes-256-cbc -pbkdf2 -pass stdin` for the workload and for the env, `openssl dgst -sha256
// -sign` over both tokens, `base64 -w0` of each), and the inputs both sides start from.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bench-setup.mjs';
import { waitedChildrenCpuMs } from './child-cpu.mjs';

/** Runs a program to its end and returns its stdout; throws with its stderr on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * Wall time and CPU time of the children `action` spawns and waits for. Pending writes are
 * flushed first, so neither side pays for the other's files (hpvs-ctl fsyncs what it writes,
 * and an fsync waits for the journal, which may still hold the recipe's output).
 */
export function timed(action) {
  spawnSync('sync');
  const cpu = waitedChildrenCpuMs();
  const start = process.hrtime.bigint();
  action();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpu: waitedChildrenCpuMs() - cpu };
}

/**
 * In `work`: RSA-4096 keys made by openssl (`hpcr.pem`, the runtime's, with its public key
 * `hpcr-public.pem` and a self-signed certificate `hpcr.crt` valid for a year, standing in for
 * an HPCR encryption certificate; `sign.pem`, the deployer's signing key), `workload.yaml`
 * (templates/workload-compose.yaml with a seed) and `env.yaml` (logging and a volume seed).
 */
export function writeContractInputs(work) {
  const file = (name) => join(work, name);
  const rsa4096 = (out) =>
    run('openssl', [
      'genpkey',
      '-algorithm',
      'RSA',
      '-pkeyopt',
      'rsa_keygen_bits:4096',
      '-out',
      out,
    ]);
  rsa4096(file('hpcr.pem'));
  run('openssl', ['pkey', '-in', file('hpcr.pem'), '-pubout', '-out', file('hpcr-public.pem')]);
  run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    file('hpcr.pem'),
    '-subj',
    '/CN=bench HPCR encryption',
    '-days',
    '365',
    '-out',
    file('hpcr.crt'),
  ]);
  rsa4096(file('sign.pem'));
  writeFileSync(
    file('workload.yaml'),
    readFileSync(join(projectRoot, 'templates/workload-compose.yaml'), 'utf8').replace(
      'REPLACE-with-a-random-workload-seed',
      'benchWorkloadSeed0123456789',
    ),
  );
  writeFileSync(
    file('env.yaml'),
    [
      'type: env',
      'logging:',
      '  logRouter:',
      '    hostname: bench.logs.cloud.ibm.com',
      '    iamApiKey: bench-api-key',
      '    port: 443',
      'volumes:',
      '  data:',
      '    seed: benchEnvSeedDefault0123456789',
      '',
    ].join('\n'),
  );
}

/**
 * The recipe as a deployer scripts it, writing `count` contracts to `work/recipe-out/`, for
 * bash. `encryptFor` is how `openssl pkeyutl` reads the runtime's key: `public-key`
 * (`-pubin -inkey hpcr-public.pem`) or `certificate` (`-certin -inkey hpcr.crt`, IBM's form).
 */
export function recipeScript(work, count, encryptFor) {
  const inkey =
    encryptFor === 'certificate' ? '-certin -inkey hpcr.crt' : '-pubin -inkey hpcr-public.pem';
  return `set -e
cd "${work}"
mkdir -p recipe-out
for i in $(seq 1 ${count}); do
  openssl rand 32 > pw-w
  W="hyper-protect-basic.$(openssl pkeyutl -encrypt ${inkey} -in pw-w | base64 -w0).$(openssl enc -aes-256-cbc -pbkdf2 -pass stdin -in workload.yaml < pw-w | base64 -w0)"
  openssl rand 32 > pw-e
  E="hyper-protect-basic.$(openssl pkeyutl -encrypt ${inkey} -in pw-e | base64 -w0).$(openssl enc -aes-256-cbc -pbkdf2 -pass stdin -in env.yaml < pw-e | base64 -w0)"
  S="$(printf '%s%s' "$W" "$E" | openssl dgst -sha256 -sign sign.pem | base64 -w0)"
  printf 'workload: %s\\nenv: %s\\nenvWorkloadSignature: %s\\n' "$W" "$E" "$S" > "recipe-out/vm-$i.yaml"
done
`;
}
