// The library build (package.json "exports"): dist/index.js, the public API of src/index.ts as
// one ES module, and its declarations under dist/types/. Kept apart from the CLI's build: the
// CLI is one script with its packages bundled and a code cache (bin/load-cli.js), a library is
// an ES module whose dependencies the user's install resolves.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

export async function buildLibrary() {
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(root, 'dist/index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // the dependencies stay the package's own, resolved (and deduplicated) by the user's install
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  // declarations of the files src/index.ts reaches, with its strict settings (tsconfig.build.json)
  rmSync(join(root, 'dist/types'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(`declarations: tsc -p tsconfig.build.json failed (exit ${result.status})`);
  }
}
