// Bundles the CLI with code splitting so that each command's heavy dependencies load only
// when that command runs (see bench/startup.mjs and test/build/startup-imports.test.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/**
 * `await import('yaml')` gets Node's named exports of a CommonJS package (`isMap`, ...), but
 * esbuild's chunk for a CommonJS package exports `default` only. A dynamic import of such a
 * package goes through a small ES module that re-exports its names.
 */
const cjsDynamicImports = {
  name: 'cjs-dynamic-imports',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'cjs-facade' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'cjs-facade' }, (args) => {
      // the names Node.js would offer: the package's exports as it loads here
      const names = Object.keys(createRequire(join(root, 'package.json'))(args.path)).filter(
        (name) => name !== 'default' && name !== '__esModule',
      );
      return {
        contents: `import * as namespace from '${args.path}';\nexport const { ${names.join(', ')} } = namespace;\nexport default namespace.default;\n`,
        resolveDir: root,
        loader: 'js',
      };
    });
  },
};

/**
 * commander requires node:child_process when it loads, for executable subcommands, which
 * hpvs-ctl does not have; loading it (with node:net and node:dgram) costs every command about
 * 2 ms. Its one use, `spawn`, requires it when called instead.
 */
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(COMMANDER_CHILD_PROCESS)) {
        throw new Error(`${args.path} no longer has: ${COMMANDER_CHILD_PROCESS}`);
      }
      return {
        contents: source.replace(
          COMMANDER_CHILD_PROCESS,
          "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
        ),
        loader: 'js',
      };
    });
  },
};

// the contract schema's validators, precompiled (src/schema/generated/, imported by the bundle)
await writeValidatorModule();

// The manifest and help of an earlier build must not meet this build's bundle: without them
// the CLI loads every command file and prints its help live, which is only slower.
rmSync(join(root, 'dist/command-manifest.json'), { force: true });
rmSync(join(root, 'dist/help.txt'), { force: true });

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
  // The CLI's dependencies are bundled too: no package lookup, no node_modules walk and no
  // CommonJS loader at start-up (commander, yaml, @peculiar/x509 ... load as chunks like our
  // own code). Bundled CommonJS code requires Node.js modules (`fs`, `events`) through
  // esbuild's `__require`, which needs a `require` in scope: the banner gives each output file
  // one, made on its first call (making it costs about 0.3 ms, and few files ever call it).
  packages: 'bundle',
  banner: {
    js: [
      "import { createRequire as __hpvsCreateRequire } from 'node:module';",
      'let __hpvsRequire;',
      'const require = (id) => (__hpvsRequire ??= __hpvsCreateRequire(import.meta.url))(id);',
    ].join('\n'),
  },
  // Whitespace only: V8 reads every byte of what a command loads (the contract validators
  // alone are about 0.5 MB); names stay, so a --debug stack trace still names its functions.
  minifyWhitespace: true,
  sourcemap: true,
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  plugins: [cjsDynamicImports, lazyChildProcess],
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

/** Writes `file` in dist/ atomically (a CLI test may be reading it). */
function writeDist(file, text) {
  const temporary = join(root, `dist/${file}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, join(root, 'dist', file));
}

/** Runs `code` (an ES module with `cli`, the built dist/cli.js, imported) and returns its stdout. */
function runWithCli(code) {
  const cli = JSON.stringify(pathToFileURL(join(root, 'dist/cli.js')).href);
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '--eval', `const cli = await import(${cli});\n${code}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`the built CLI failed (exit ${result.status})`);
  return result.stdout;
}

// What lets a command start without loading the others (src/cli/command-manifest.ts), and the
// program's help as commander prints it to a file or pipe (bin/hpvs-ctl.js prints it for
// `--help`, `-h` and no arguments; test/build/top-help.test.ts proves the two equal), both
// rendered from the whole program; removed before the bundle is written (above).
const helpText = runWithCli(
  "process.exitCode = await cli.runProgram(cli.buildProgram, ['--help']);",
);
const manifest = runWithCli('process.stdout.write(JSON.stringify(await cli.commandManifest()));');
writeDist('command-manifest.json', manifest);
writeDist('help.txt', helpText);

// ---- library (api helper): dist/index.js and dist/types/, see scripts/build-library.mjs ----
const { buildLibrary } = await import('./build-library.mjs');
await buildLibrary();
