import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

/**
 * What `hpvs-ctl` loads before a command runs, read from the esbuild metafile of the last build
 * (`npm run build`): dist/cli.js and the chunks it imports statically hold commander and the
 * program, but no command file (each is imported when its command runs, see
 * src/cli/command-modules.ts) and none of the heavy packages; and every package is bundled, so
 * that no import anywhere in dist/ looks for a package in node_modules.
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

interface Output {
  imports: Array<{ path: string; kind: string; external?: boolean }>;
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

interface Metafile {
  outputs: Record<string, Output>;
}

const META = `${PROJECT_ROOT}dist/meta.json`;
/** The contract schema's precompiled validators (Ajv's code: about 2 MB of JavaScript). */
const VALIDATORS = 'src/core/schema/generated/contract-validators.js';
/** ccco's validators, about as big as all the others. */
const COCO_VALIDATORS = 'src/core/schema/generated/coco-validators.js';

/** The package an input file of the bundle belongs to, if any. */
function packageOf(input: string): string | undefined {
  const parts = input.split('node_modules/').at(-1)!.split('/');
  if (!input.includes('node_modules/')) return undefined;
  return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The chunks, source files and packages that the static import closure of `entry` evaluates. */
function staticClosure(
  meta: Metafile,
  entry: string,
): { chunks: Set<string>; inputs: Set<string>; packages: Set<string> } {
  const chunks = new Set<string>();
  const visit = (output: string): void => {
    if (chunks.has(output)) return;
    chunks.add(output);
    const info = meta.outputs[output];
    if (info === undefined) throw new Error(`metafile has no output ${output}`);
    for (const imported of info.imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  const inputs = new Set([...chunks].flatMap((chunk) => Object.keys(meta.outputs[chunk]!.inputs)));
  const packages = new Set([...inputs].flatMap((input) => packageOf(input) ?? []));
  return { chunks, inputs, packages };
}

/** The command files src/cli/command-modules.ts imports, as metafile inputs. */
function commandFiles(): string[] {
  const source = readFileSync(`${PROJECT_ROOT}src/cli/command-modules.ts`, 'utf8');
  return [...source.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map(
    (match) => `src/cli/commands/${match[1]}.ts`,
  );
}

describe('start-up import closure of dist/cli.js (run `npm run build` first)', () => {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as Metafile;
  const everything = new Set(
    Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs)),
  );

  it('loads commander and the program, but none of the heavy packages', () => {
    const { inputs, packages } = staticClosure(meta, 'dist/cli.js');
    expect(packages).toContain('commander');
    expect(inputs).toContain('src/cli/cli.ts');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
    expect(inputs).not.toContain(VALIDATORS);
  });

  it('loads no command file: each comes with its command', () => {
    const files = commandFiles();
    expect(files).toHaveLength(21);
    const { inputs } = staticClosure(meta, 'dist/cli.js');
    expect(files.filter((file) => inputs.has(file))).toEqual([]);
    // the walk sees real files: every command file is in the bundle, behind a dynamic import
    expect(files.filter((file) => !everything.has(file))).toEqual([]);
  });

  it('a command file loads no heavy package before its action runs (its --help stays light)', () => {
    const chunkOf = new Map(
      Object.entries(meta.outputs).flatMap(([output, info]) =>
        info.entryPoint === undefined ? [] : [[info.entryPoint, output] as const],
      ),
    );
    for (const file of commandFiles()) {
      const chunk = chunkOf.get(file);
      expect(chunk, file).toBeDefined();
      const { inputs, packages } = staticClosure(meta, chunk!);
      expect(inputs, file).toContain(file);
      expect(
        HEAVY.filter((name) => packages.has(name)),
        file,
      ).toEqual([]);
      expect(inputs.has(VALIDATORS), file).toBe(false);
    }
  });

  it('still reaches the heavy code, bundled into chunks of the commands that use it', () => {
    const bundled = new Set([...everything].flatMap((input) => packageOf(input) ?? []));
    // ajv and ajv-formats run only when the build precompiles the validators
    for (const name of HEAVY.filter((name) => !name.startsWith('ajv'))) {
      expect(bundled, name).toContain(name);
    }
    expect(everything).toContain(VALIDATORS);
  });

  it('loads the ccco validators only when a ccco section is checked, not with the others', () => {
    const chunk = Object.entries(meta.outputs).find(
      ([, info]) => 'src/core/schema/validate-contract.ts' in info.inputs,
    )?.[0];
    expect(chunk).toBeDefined();
    const { inputs } = staticClosure(meta, chunk!);
    expect(inputs).toContain(VALIDATORS);
    expect(inputs.has(COCO_VALIDATORS)).toBe(false);
    expect(everything).toContain(COCO_VALIDATORS);
  });

  it('reads archives without tar-stream: only packing (build-tgz.ts) reaches it', () => {
    const holding = (wanted: (input: string) => boolean) =>
      Object.entries(meta.outputs)
        .filter(([, info]) => Object.keys(info.inputs).some(wanted))
        .map(([output]) => output);
    const [reader] = holding((input) => input === 'src/core/archive/extract-tgz.ts');
    const [packer] = holding((input) => input === 'src/core/archive/build-tgz.ts');
    expect(staticClosure(meta, reader!).packages.has('tar-stream')).toBe(false);
    const packing = staticClosure(meta, packer!);
    expect(packing.packages).toContain('tar-stream');
    const tarStream = holding((input) => packageOf(input) === 'tar-stream');
    expect(tarStream.filter((chunk) => !packing.chunks.has(chunk))).toEqual([]);
  });

  it('imports nothing from node_modules at run time: every external import is a Node.js module', () => {
    const externals = Object.values(meta.outputs).flatMap((output) =>
      output.imports.filter((imported) => imported.external).map((imported) => imported.path),
    );
    expect(externals).toContain('node:fs');
    expect(externals.filter((path) => !isBuiltin(path))).toEqual([]);
  });
});
