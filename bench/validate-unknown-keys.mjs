// Times `hpvs-ctl validate` on contracts with N, 2N and 4N unknown workload keys (half in a
// mapping, half in a block string), to show that the time grows linearly: positions are
// indexed once per document (src/core/contract/yaml-positions.ts). Usage:
// node bench/validate-unknown-keys.mjs [N] (default 20000, so 80,000 keys in the last run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli, countArguments } from './bench-setup.mjs';

const [base] = countArguments('node bench/validate-unknown-keys.mjs [N]', 20000);
const bin = builtCli();
const dir = mkdtempSync(join(tmpdir(), 'hpvs-bench-keys-'));

function contract(count) {
  const keys = (prefix, n) => Array.from({ length: n }, (_, i) => `  ${prefix}${i}: 1\n`).join('');
  return (
    `workload:\n  type: workload\n  play: {}\n${keys('w', count / 2)}` +
    `env: |\n  type: env\n  logging:\n    logRouter:\n      hostname: a.example.com\n      iamApiKey: x\n${keys('e', count / 2)}`
  );
}

try {
  for (const count of [base, base * 2, base * 4]) {
    const file = join(dir, `keys-${count}.yaml`);
    writeFileSync(file, contract(count));
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, 'validate', file], { stdio: 'ignore' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // unknown keys are warnings; the run only has to finish, whatever the verdict
    if (result.status === null) throw new Error(`validate was killed (${result.signal})`);
    console.log(`${String(count).padStart(7)} unknown keys: ${seconds.toFixed(2)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
