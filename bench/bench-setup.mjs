// What every benchmark script starts with: its counts from the command line and the built CLI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Reads positive whole numbers from `process.argv` (the defaults where absent), or prints the
 * usage line and exits 2.
 */
export function countArguments(usage, ...defaults) {
  const counts = defaults.map((fallback, index) => Number(process.argv[2 + index] ?? fallback));
  if (counts.some((count) => !Number.isInteger(count) || count < 1)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return counts;
}

/** The path of bin/hpvs-ctl.js, after checking that `npm run build` has made dist/. */
export function builtCli() {
  if (!existsSync(join(projectRoot, 'dist/cli.js'))) {
    console.error('dist/cli.js is missing: run `npm run build` first');
    process.exit(1);
  }
  return join(projectRoot, 'bin/hpvs-ctl.js');
}
