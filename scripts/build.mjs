// Bundles the CLI into one script with a V8 code cache (bin/load-cli.js), in which each
// command's heavy dependencies run only when that command runs (see bench/startup.mjs,
// bench/one-contract.mjs and test/build/startup-imports.test.ts), and the library.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/** What the CLI's bundle and the workers' bundles share: every package bundled, minified blanks. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The CLI's dependencies are bundled too: no package lookup, no node_modules walk at
  // start-up (commander, yaml, @peculiar/x509 ... load like our own code).
  packages: 'bundle',
  // Whitespace only: V8 reads every byte that is not in the code cache (the contract
  // validators alone are about 0.5 MB); names stay, so a --debug stack trace still names its
  // functions.
  minifyWhitespace: true,
  // non-ASCII characters escaped: bin/load-cli.js reads the bundle as Latin-1 (checked below)
  charset: 'ascii',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [cjsDynamicImports, lazyChildProcess],
};

// The CLI: one CommonJS script, which bin/load-cli.js compiles with V8's code cache (an ES
// module cannot use one in Node.js 20). A command's modules still run only when it runs: each
// `import()` of the sources becomes a lazy initialiser inside the script.
const cli = await build({
  ...common,
  entryPoints: [join(root, 'src/cli/cli.ts')],
  outfile: join(root, 'dist/cli.cjs'),
  format: 'cjs',
  write: false,
  // code that finds files beside itself (templates, workers) asks import.meta.url
  define: { 'import.meta.url': '__hpvsModuleUrl' },
  banner: { js: "var __hpvsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// Workers: each an ES module of its own (a worker thread starts one file).
const workers = await build({
  ...common,
  entryPoints: findWorkers(join(root, 'src')),
  outdir: join(root, 'dist'),
  outbase: join(root, 'src'),
  format: 'esm',
  // Bundled CommonJS code requires Node.js modules (`fs`, `events`) through esbuild's
  // `__require`, which needs a `require` in scope: made on its first call.
  banner: {
    js: [
      "import { createRequire as __hpvsCreateRequire } from 'node:module';",
      'let __hpvsRequire;',
      'const require = (id) => (__hpvsRequire ??= __hpvsCreateRequire(import.meta.url))(id);',
    ].join('\n'),
  },
});
writeFileSync(join(root, 'dist/meta.json'), JSON.stringify(cli.metafile));
writeFileSync(join(root, 'dist/workers-meta.json'), JSON.stringify(workers.metafile));

/** Writes `file` in dist/ atomically (a CLI test may be reading it). */
function writeDist(file, content) {
  const temporary = join(root, `dist/${file}.${process.pid}.tmp`);
  mkdirSync(dirname(temporary), { recursive: true });
  writeFileSync(temporary, content);
  renameSync(temporary, join(root, 'dist', file));
}

// The bundle opens with its build id (a digest of its bytes), which its code cache repeats:
// bin/load-cli.js never uses a cache made from other bytes (V8 itself checks only the length).
for (const output of cli.outputFiles) {
  if (output.path.endsWith('.map')) {
    writeDist('cli.cjs.map', output.contents);
    continue;
  }
  if (!/^[\x00-\x7f]*$/.test(output.text)) throw new Error('dist/cli.cjs is not ASCII');
  const id = createHash('sha256').update(output.contents).digest('hex');
  // the id and the module wrapper on the first line, so the source map's lines stay right
  writeDist(
    'cli.cjs',
    `/*hpvs-ctl build ${id}*/(function (exports, require, module, __filename, __dirname) {${output.text}\n})`,
  );
}

// Outputs of earlier builds that this one does not write: the ES module CLI and its chunks.
rmSync(join(root, 'dist/chunks'), { recursive: true, force: true });
for (const name of ['cli.js', 'cli.js.map']) rmSync(join(root, 'dist', name), { force: true });

/** Runs `code` (an ES module with `cli`, the built CLI, loaded) and returns its stdout. */
function runWithCli(code) {
  const loader = JSON.stringify(pathToFileURL(join(root, 'bin/load-cli.js')).href);
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '--eval',
      `const { cli } = (await import(${loader})).loadCli({ useCodeCache: false });\n${code}`,
    ],
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

// V8's code cache of the CLI, made by running it (after the manifest: the commands run as
// they will for users, with only their own files loaded)
{
  const warm = spawnSync(process.execPath, [join(root, 'scripts/write-code-cache.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (warm.status !== 0) {
    throw new Error(`scripts/write-code-cache.mjs failed:\n${warm.stderr}${warm.stdout}`);
  }
}

// ---- library (api helper): dist/index.js and dist/types/, see scripts/build-library.mjs ----
const { buildLibrary } = await import('./build-library.mjs');
await buildLibrary();
