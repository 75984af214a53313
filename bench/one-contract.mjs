// One signed, encrypted contract both ways, in pairs: `hpvs-ctl contract --workload --env
// --cert --sign-key --out` (one process start, module loading, validation, crypto, an fsynced
// file) and the seed document's openssl recipe for one contract (bench/contract-recipe.mjs,
// with IBM's `-certin` of the same RSA-4096 certificate). The two alternate, the side that goes
// first alternates too, and the medians of each side and of the per-pair ratios are printed.
// Usage: node bench/one-contract.mjs [pairs] (default 20). Build first (`npm run build`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli, countArguments, median } from './bench-setup.mjs';
import { recipeScript, run, timed, writeContractInputs } from './contract-recipe.mjs';
import { story } from '../scripts/lib/story.mjs';

const [pairs] = countArguments('node bench/one-contract.mjs [pairs]', 20);
const bin = builtCli();

const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-one-contract-'));
try {
  const file = (name) => join(work, name);
  writeContractInputs(work);
  writeFileSync(file('recipe.sh'), recipeScript(work, 1, 'certificate'));
  const recipe = () => {
    rmSync(file('recipe-out'), { recursive: true, force: true });
    return timed(() => run('bash', [file('recipe.sh')]));
  };
  const ours = () => {
    rmSync(file('user-data.yaml'), { force: true });
    return timed(() =>
      run(process.execPath, [
        bin,
        ...story.contract({
          workload: file('workload.yaml'),
          env: file('env.yaml'),
          cert: file('hpcr.crt'),
          signKey: file('sign.pem'),
          out: file('user-data.yaml'),
        }),
      ]),
    );
  };

  // one untimed pair warms the file system cache
  recipe();
  ours();
  const rows = [];
  for (let pair = 0; pair < pairs; pair++) {
    const [first, second] = pair % 2 === 0 ? [recipe, ours] : [ours, recipe];
    const a = first();
    const b = second();
    const row = pair % 2 === 0 ? { recipe: a, ours: b } : { recipe: b, ours: a };
    rows.push(row);
  }
  const med = (pick) => median(rows.map(pick)).toFixed(1);
  console.log(`pairs:                        ${pairs}, alternating (and which side goes first)`);
  console.log(
    `openssl recipe, one contract median ${med((r) => r.recipe.ms)} ms (CPU ${med((r) => r.recipe.cpu)} ms)`,
  );
  console.log(
    `hpvs-ctl contract             median ${med((r) => r.ours.ms)} ms (CPU ${med((r) => r.ours.cpu)} ms)`,
  );
  console.log(
    `ratio (median of per-pair ratios): ${median(rows.map((r) => r.ours.ms / r.recipe.ms)).toFixed(2)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
