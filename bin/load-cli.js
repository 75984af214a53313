'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

/**
 * The CLI is one CommonJS module, dist/cli.cjs (scripts/build.mjs), written as the function
 * expression Node.js wraps a module in. Node.js 20 compiles an ES module or a required file
 * from its source on every run; a script compiled through node:vm can start from V8's code
 * cache instead: the bytecode of the functions a contract, an encryption or
 * a validation runs, which the build saved in dist/cli.cjs.cache after running them. That takes
 * the parsing and compiling of about 2.7 MB of JavaScript off every command.
 *
 * The cache is used only when it was made from these very bytes (its first line names the
 * build id the bundle starts with) and by this Node.js with these V8 flags (V8 checks that and
 * rejects it otherwise): a stale or foreign cache costs speed, never behaviour.
 */

const CLI_FILE = join(__dirname, '../dist/cli.cjs');
const CODE_CACHE_FILE = `${CLI_FILE}.cache`;

/** `/*hpvs-ctl build <64 hex>*\/` opens dist/cli.cjs; the cache's first line repeats the id. */
const BUILD_ID = /^\/\*hpvs-ctl build ([0-9a-f]{64})\*\//;

/**
 * Loads the CLI (its exports: main, runProgram, ...). `useCodeCache: false` compiles it from
 * source, as the build does when it makes the cache; `script` is what the cache is made from;
 * `codeCache` says whether V8 started from the cache ('used'), refused it ('rejected': another
 * Node.js or other V8 flags) or had none that fits the bundle ('none'); `buildId` is the id the
 * bundle opens with, which a cache made from `script` must repeat.
 */
function loadCli({ useCodeCache = true } = {}) {
  // esbuild writes ASCII only (non-ASCII characters escaped), so Latin-1 reads it unchanged,
  // without UTF-8 decoding
  const source = readFileSync(CLI_FILE, 'latin1');
  const buildId = BUILD_ID.exec(source.slice(0, 100))?.[1];
  const cachedData = useCodeCache && buildId !== undefined ? readCodeCache(buildId) : undefined;
  // the file is the function expression Node.js would wrap a CommonJS module in (the build
  // wrote it so): no 2.7 MB concatenation to copy before compiling
  const script = new Script(source, {
    filename: CLI_FILE,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const cliModule = { exports: {} };
  script.runInThisContext()(
    cliModule.exports,
    createRequire(CLI_FILE),
    cliModule,
    CLI_FILE,
    dirname(CLI_FILE),
  );
  // `import()` does not work inside a node:vm script in Node.js 20; this module's does
  cliModule.exports.useModuleImporter((url) => import(url));
  const codeCache =
    cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { cli: cliModule.exports, script, codeCache, buildId };
}

/** The code cache's bytes after its id line, if the id is the bundle's own. */
function readCodeCache(id) {
  let cache;
  try {
    cache = readFileSync(CODE_CACHE_FILE);
  } catch {
    return undefined; // a build in progress, or none made: compile from source
  }
  return cache.toString('latin1', 0, id.length + 1) === `${id}\n`
    ? cache.subarray(id.length + 1)
    : undefined;
}

module.exports = { CLI_FILE, CODE_CACHE_FILE, loadCli };
