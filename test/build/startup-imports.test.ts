import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

/**
 * `hpvs-ctl --help` must not load the heavy packages: they are imported with `await import()`
 * inside the commands that need them. This reads the esbuild metafile of the last build
 * (`npm run build`) and walks the static imports from the entry.
 */

const HEAVY = [
  'yaml',
  'ajv',
  'ajv-formats',
  '@peculiar/x509',
  'reflect-metadata',
  'tar-stream',
  '@inquirer/prompts',
];

interface Metafile {
  outputs: Record<string, { imports: Array<{ path: string; kind: string; external?: boolean }> }>;
}

const META = `${PROJECT_ROOT}dist/meta.json`;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Packages loaded by the static import closure of `entry`, and the chunks in it. */
function staticClosure(
  meta: Metafile,
  entry: string,
): { chunks: Set<string>; packages: Set<string> } {
  const chunks = new Set<string>();
  const packages = new Set<string>();
  const visit = (output: string): void => {
    if (chunks.has(output)) return;
    chunks.add(output);
    const info = meta.outputs[output];
    if (info === undefined) throw new Error(`metafile has no output ${output}`);
    for (const imported of info.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(packageName(imported.path));
      else visit(imported.path);
    }
  };
  visit(entry);
  return { chunks, packages };
}

describe('start-up import closure of dist/cli.js (run `npm run build` first)', () => {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as Metafile;

  it('loads none of the heavy packages before a command runs', () => {
    const { packages } = staticClosure(meta, 'dist/cli.js');
    expect(packages).toContain('@commander-js/extra-typings');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('still reaches the heavy packages through dynamic imports (the walk sees real edges)', () => {
    const everything = new Set(
      Object.values(meta.outputs).flatMap((output) =>
        output.imports
          .filter((imported) => imported.external)
          .map((imported) => packageName(imported.path)),
      ),
    );
    expect(everything).toContain('tar-stream');
    expect(everything).toContain('yaml');
  });
});
