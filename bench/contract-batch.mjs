// Builds N signed, encrypted contracts (default 100; RSA-4096 encryption and signing keys) in
// one run both ways: `hpvs-ctl contract --batch` (one process, worker threads), and the seed
// document's openssl recipe looped N times in a shell script (per contract: `openssl rand 32`,
// `openssl pkeyutl -encrypt` of it and `openssl enc -aes-256-cbc -pbkdf2 -pass stdin` for the
// workload and the env, then `openssl dgst -sha256 -sign` over both tokens). Prints both wall
// times and their ratio; rounds alternate the two so background load hits both alike.
// Usage: node bench/contract-batch.mjs [contracts] [rounds]. Build first (`npm run build`).
import { pbkdf2Sync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { builtCli, countArguments, median } from './bench-setup.mjs';
import { recipeScript, run, timed, writeContractInputs } from './contract-recipe.mjs';

const [count, rounds] = countArguments(
  'node bench/contract-batch.mjs [contracts] [rounds]',
  100,
  3,
);
const bin = builtCli();

/**
 * How many cores this machine gives us right now: the speed-up of two threads over one on the
 * same PBKDF2 work. About 2 on an idle 2-core machine; near 1 when other load takes a core,
 * and then hpvs-ctl's wall time approaches its CPU time.
 */
async function parallelSpeedup() {
  const rounds = 150;
  const oneThread = timedSync(() => {
    for (let i = 0; i < 2 * rounds; i++) pbkdf2Sync('password', 'saltsalt', 10_000, 48, 'sha256');
  });
  const code = `const { pbkdf2Sync } = require('node:crypto');
for (let i = 0; i < ${rounds}; i++) pbkdf2Sync('password', 'saltsalt', 10000, 48, 'sha256');`;
  const start = process.hrtime.bigint();
  await Promise.all(
    [0, 1].map(
      () =>
        new Promise((resolve, reject) =>
          new Worker(code, { eval: true }).on('exit', resolve).on('error', reject),
        ),
    ),
  );
  return oneThread / (Number(process.hrtime.bigint() - start) / 1e6);
}

function timedSync(action) {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-contract-'));
try {
  const file = (name) => join(work, name);
  writeContractInputs(work);
  mkdirSync(file('seeds'));
  const inventory = ['instances:'];
  for (let i = 0; i < count; i++) {
    writeFileSync(file(`seeds/vm-${i}.seed`), `benchEnvSeedForVm${String(i).padStart(6, '0')}\n`);
    inventory.push(
      `  - name: vm-${i}`,
      '    env:',
      `      INSTANCE: "${i}"`,
      `    seedFile: seeds/vm-${i}.seed`,
    );
  }
  writeFileSync(file('inventory.yaml'), `${inventory.join('\n')}\n`);

  writeFileSync(file('recipe.sh'), recipeScript(work, count, 'public-key'));

  const rows = [];
  for (let round = 0; round < rounds; round++) {
    rmSync(file('out'), { recursive: true, force: true });
    rmSync(file('recipe-out'), { recursive: true, force: true });
    const recipe = timed(() => run('bash', [file('recipe.sh')]));
    const ours = timed(() =>
      run(process.execPath, [
        bin,
        'contract',
        '--batch',
        file('inventory.yaml'),
        '--workload',
        file('workload.yaml'),
        '--env',
        file('env.yaml'),
        '--cert',
        file('hpcr-public.pem'),
        '--sign-key',
        file('sign.pem'),
        '--out-dir',
        file('out'),
      ]),
    );
    const written = readdirSync(file('out')).length;
    if (written !== count)
      throw new Error(`hpvs-ctl wrote ${written} contracts, expected ${count}`);
    const speedup = await parallelSpeedup();
    const row = {
      ours,
      recipe,
      speedup,
      ratio: ours.ms / recipe.ms,
      cpuRatio: ours.cpu / recipe.cpu,
    };
    rows.push(row);
    console.log(
      `round ${round + 1}: hpvs-ctl ${ours.ms.toFixed(0)} ms (CPU ${ours.cpu.toFixed(0)} ms), openssl recipe ${recipe.ms.toFixed(0)} ms (CPU ${recipe.cpu.toFixed(0)} ms), ratio ${row.ratio.toFixed(3)}, two-thread speed-up ${speedup.toFixed(2)}`,
    );
  }
  const med = (pick) => median(rows.map(pick));
  console.log('');
  console.log(`| ${count} contracts, median of ${rounds} | wall | CPU |`);
  console.log('| --- | --- | --- |');
  console.log(
    `| openssl recipe (shell loop) | ${med((r) => r.recipe.ms).toFixed(0)} ms | ${med((r) => r.recipe.cpu).toFixed(0)} ms |`,
  );
  console.log(
    `| hpvs-ctl contract --batch | ${med((r) => r.ours.ms).toFixed(0)} ms | ${med((r) => r.ours.cpu).toFixed(0)} ms |`,
  );
  console.log(
    `| ratio (median of per-round ratios) | **${med((r) => r.ratio).toFixed(3)}** | ${med((r) => r.cpuRatio).toFixed(3)} |`,
  );
  const quiet = rows.filter((r) => r.speedup >= 1.7);
  console.log(
    quiet.length > 0
      ? `\nrounds with both cores free (two-thread speed-up >= 1.7): ${quiet.length}, median wall ratio ${median(quiet.map((r) => r.ratio)).toFixed(3)}`
      : '\nno round had both cores free (two-thread speed-up >= 1.7); the wall ratio is that of one core',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
