// Bundles the CLI with code splitting so that each command's heavy dependencies load only
// when that command runs (see bench/startup.mjs and test/build/startup-imports.test.ts).
import { build } from 'esbuild';
import { readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeValidatorModule } from './generate-validators.mjs';

const root = new URL('..', import.meta.url).pathname;

function findWorkers(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findWorkers(path));
    else if (entry.name.endsWith('.worker.ts')) found.push(path);
  }
  return found;
}

// the contract schema's validators, precompiled (src/schema/generated/, imported by the bundle)
await writeValidatorModule();

const result = await build({
  absWorkingDir: root,
  // dist/cli.js is the CLI (bin/hpvs-ctl.js imports it); workers keep their place under src/
  entryPoints: [
    { in: join(root, 'src/cli/cli.ts'), out: 'cli' },
    ...findWorkers(join(root, 'src')),
  ],
  outdir: join(root, 'dist'),
  outbase: join(root, 'src'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
writeFileSync(join(root, 'dist/meta.json'), JSON.stringify(result.metafile));

// Drop chunks of earlier builds. dist/ is not wiped first, so a CLI test running while another
// build happens never finds dist/cli.js missing.
const outputs = new Set(Object.keys(result.metafile.outputs).map((path) => join(root, path)));
const chunkDir = join(root, 'dist/chunks');
if (existsSync(chunkDir)) {
  for (const name of readdirSync(chunkDir)) {
    const path = join(chunkDir, name);
    if (!outputs.has(path)) rmSync(path, { force: true });
  }
}

// ---- library (api helper): dist/index.js and dist/types/, see scripts/build-library.mjs ----
const { buildLibrary } = await import('./build-library.mjs');
await buildLibrary();
