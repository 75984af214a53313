// Compares the start-up time of `hpvs-ctl --help` with a bare `node -e 0`, alternating the two
// so that machine noise hits both alike. Usage: node bench/startup.mjs [runs] (default 30).
// Build first (`npm run bench:startup` does).
import { spawnSync } from 'node:child_process';
import { builtCli, countArguments } from './bench-setup.mjs';

const [runs] = countArguments('node bench/startup.mjs [runs]', 30);
const bin = builtCli();

function timeMs(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// One untimed round of each warms the file system cache.
timeMs([bin, '--help']);
timeMs(['-e', '0']);

const cli = [];
const bare = [];
for (let i = 0; i < runs; i++) {
  cli.push(timeMs([bin, '--help']));
  bare.push(timeMs(['-e', '0']));
}
const ratios = cli.map((value, i) => value / bare[i]);

console.log(`runs:                     ${runs} of each, alternating`);
console.log(`node -e 0          median ${median(bare).toFixed(1)} ms`);
console.log(`hpvs-ctl --help    median ${median(cli).toFixed(1)} ms`);
console.log(`ratio (median of per-pair ratios): ${median(ratios).toFixed(2)}`);
