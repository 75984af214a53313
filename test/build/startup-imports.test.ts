import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

/**
 * What `hpvs-ctl` runs before a command does, read from the esbuild metafile of the last build
 * (`npm run build`). The CLI is one script, dist/cli.cjs (scripts/build.mjs), in which every
 * source file or package is a module that runs when something first imports it: statically
 * (when its importer runs) or through `import()` (when that call happens). So what starts with
 * the program is the static import closure of src/cli/cli.ts: commander and the program, but no
 * command file (each is imported when its command runs, see src/cli/command-modules.ts) and none
 * of the heavy packages; a command file's own static closure (what its --help runs) holds no
 * heavy package either. And every package is bundled, so that no import anywhere in dist/ looks
 * for a package in node_modules.
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

interface Input {
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}

interface Output {
  imports: Array<{ path: string; kind: string; external?: boolean }>;
  inputs: Record<string, unknown>;
}

interface Metafile {
  inputs: Record<string, Input>;
  outputs: Record<string, Output>;
}

const META = `${PROJECT_ROOT}dist/meta.json`;
/** The contract schema's precompiled validators (Ajv's code). */
const VALIDATORS = 'src/core/schema/generated/contract-validators.js';
/** ccco's validators, about as big as all the others. */
const COCO_VALIDATORS = 'src/core/schema/generated/coco-validators.js';

/** The package an input file of the bundle belongs to, if any. */
function packageOf(input: string): string | undefined {
  const parts = input.split('node_modules/').at(-1)!.split('/');
  if (!input.includes('node_modules/')) return undefined;
  return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The source files and packages that run when `entry` runs: its imports and a package's
 * `require` calls, followed to the end, but not `import()`.
 */
function staticClosure(
  meta: Metafile,
  entry: string,
): { inputs: Set<string>; packages: Set<string> } {
  const inputs = new Set<string>();
  const visit = (input: string): void => {
    if (inputs.has(input)) return;
    inputs.add(input);
    const info = meta.inputs[input];
    if (info === undefined) throw new Error(`metafile has no input ${input}`);
    for (const imported of info.imports) {
      if (imported.external || imported.kind === 'dynamic-import') continue;
      visit(imported.path);
    }
  };
  visit(entry);
  return { inputs, packages: new Set([...inputs].flatMap((input) => packageOf(input) ?? [])) };
}

/** The command files src/cli/command-modules.ts imports, as metafile inputs. */
function commandFiles(): string[] {
  const source = readFileSync(`${PROJECT_ROOT}src/cli/command-modules.ts`, 'utf8');
  return [...source.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map(
    (match) => `src/cli/commands/${match[1]}.ts`,
  );
}

describe('start-up import closure of dist/cli.cjs (run `npm run build` first)', () => {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as Metafile;
  const everything = new Set(Object.keys(meta.inputs));
  const CLI = 'src/cli/cli.ts';

  it('loads commander and the program, but none of the heavy packages', () => {
    const { inputs, packages } = staticClosure(meta, CLI);
    expect(packages).toContain('commander');
    expect(inputs).toContain('src/cli/cli.ts');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
    expect(inputs).not.toContain(VALIDATORS);
  });

  it('loads no command file: each comes with its command', () => {
    const files = commandFiles();
    expect(files).toHaveLength(21);
    const { inputs } = staticClosure(meta, CLI);
    expect(files.filter((file) => inputs.has(file))).toEqual([]);
    // the walk sees real files: every command file is in the bundle, behind a dynamic import
    expect(files.filter((file) => !everything.has(file))).toEqual([]);
  });

  it('a command file loads no heavy package before its action runs (its --help stays light)', () => {
    for (const file of commandFiles()) {
      const { inputs, packages } = staticClosure(meta, file);
      expect(inputs, file).toContain(file);
      expect(
        HEAVY.filter((name) => packages.has(name)),
        file,
      ).toEqual([]);
      expect(inputs.has(VALIDATORS), file).toBe(false);
    }
  });

  it('still reaches the heavy code, bundled behind the imports of the commands that use it', () => {
    const bundled = new Set([...everything].flatMap((input) => packageOf(input) ?? []));
    // ajv and ajv-formats run only when the build precompiles the validators
    for (const name of HEAVY.filter((name) => !name.startsWith('ajv'))) {
      expect(bundled, name).toContain(name);
    }
    expect(everything).toContain(VALIDATORS);
  });

  it('loads the ccco validators only when a ccco section is checked, not with the others', () => {
    const { inputs } = staticClosure(meta, 'src/core/schema/validate-contract.ts');
    expect(inputs).toContain(VALIDATORS);
    expect(inputs.has(COCO_VALIDATORS)).toBe(false);
    expect(everything).toContain(COCO_VALIDATORS);
  });

  it('reads archives without tar-stream: only packing (build-tgz.ts) reaches it', () => {
    expect(staticClosure(meta, 'src/core/archive/extract-tgz.ts').packages.has('tar-stream')).toBe(
      false,
    );
    expect(staticClosure(meta, 'src/core/archive/build-tgz.ts').packages).toContain('tar-stream');
    // every source file that imports tar-stream is the packer
    const importers = Object.entries(meta.inputs)
      .filter(
        ([input, info]) =>
          !input.includes('node_modules/') &&
          info.imports.some((imported) => packageOf(imported.path) === 'tar-stream'),
      )
      .map(([input]) => input);
    expect(importers).toEqual(['src/core/archive/build-tgz.ts']);
  });

  it('makes no import() of a Node.js module: a node:vm script has no import() in Node.js 20', () => {
    const dynamic = Object.values(meta.outputs).flatMap((output) =>
      output.imports
        .filter((imported) => imported.external && imported.kind === 'dynamic-import')
        .map((imported) => imported.path),
    );
    expect(dynamic).toEqual([]);
  });

  it('imports nothing from node_modules at run time: every external import is a Node.js module', () => {
    const workers = JSON.parse(
      readFileSync(`${PROJECT_ROOT}dist/workers-meta.json`, 'utf8'),
    ) as Metafile;
    const outputs = [...Object.values(meta.outputs), ...Object.values(workers.outputs)];
    expect(Object.keys(workers.outputs).filter((path) => path.endsWith('.worker.js'))).toHaveLength(
      2,
    );
    const externals = outputs.flatMap((output) =>
      output.imports.filter((imported) => imported.external).map((imported) => imported.path),
    );
    expect(externals).toContain('node:fs');
    expect(externals.filter((path) => !isBuiltin(path))).toEqual([]);
  });
});
