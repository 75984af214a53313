import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempRoot = useTempDir('hpvs-ctl-code-cache-');

/**
 * bin/load-cli.js starts the CLI (dist/cli.cjs) from the V8 code cache the build made
 * (scripts/write-code-cache.mjs), and from source whenever that cache does not belong to these
 * bytes, this Node.js or these V8 flags. Whichever way it starts, it behaves the same. Run
 * `npm run build` first.
 */

/** Node.js with `flags`, loading the CLI from `root` and printing how its cache was used. */
function codeCacheUse(root: string, flags: string[] = []): string {
  const loader = join(root, 'bin/load-cli.js');
  const result = spawnSync(
    process.execPath,
    [...flags, '-e', `console.log(require(${JSON.stringify(loader)}).loadCli().codeCache)`],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

/** bin/ and dist/'s CLI copied to a new folder, to tamper with. */
function copyOfCli(): string {
  const root = mkdtempSync(join(tempRoot(), 'copy-'));
  cpSync(join(PROJECT_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  for (const file of ['cli.cjs', 'cli.cjs.cache', 'command-manifest.json']) {
    cpSync(join(PROJECT_ROOT, 'dist', file), join(root, 'dist', file));
  }
  return root;
}

function runCli(root: string, args: string[], flags: string[] = []) {
  const result = spawnSync(process.execPath, [...flags, join(root, 'bin/hpvs-ctl.js'), ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A run that needs much of the CLI: a section checked against the schema. */
const VALIDATE = ['validate', '--section', 'workload', '--platform', 'hpvs'];

describe('the CLI starts from the code cache the build made (run `npm run build` first)', () => {
  it('uses the cache with this Node.js and no V8 flags', () => {
    expect(codeCacheUse(PROJECT_ROOT)).toBe('used');
  });

  it('opens with the build id that the cache repeats on its first line', () => {
    const bundle = readFileSync(join(PROJECT_ROOT, 'dist/cli.cjs'), 'latin1').slice(0, 100);
    const id = /^\/\*hpvs-ctl build ([0-9a-f]{64})\*\//.exec(bundle)?.[1];
    expect(id).toBeDefined();
    const cache = readFileSync(join(PROJECT_ROOT, 'dist/cli.cjs.cache'));
    expect(cache.toString('latin1', 0, 65)).toBe(`${id}\n`);
  });

  it('ignores a cache made for other bytes, and runs the same from source', () => {
    const root = copyOfCli();
    const cacheFile = join(root, 'dist/cli.cjs.cache');
    const cache = readFileSync(cacheFile);
    // another build's id: the cache must not be trusted, whatever V8 would say (it checks
    // only the source's length)
    cache.write('0'.repeat(64), 0, 'latin1');
    writeFileSync(cacheFile, cache);
    expect(codeCacheUse(root)).toBe('none');
    const workload = join(root, 'workload.yaml');
    writeFileSync(workload, readFileSync(join(PROJECT_ROOT, 'templates/workload-compose.yaml')));
    expect(runCli(root, [...VALIDATE, workload])).toEqual(
      runCli(PROJECT_ROOT, [...VALIDATE, workload]),
    );
  });

  it('runs without a cache file, and with V8 flags that make V8 refuse it', () => {
    const root = copyOfCli();
    const workload = join(root, 'workload.yaml');
    writeFileSync(workload, 'type: workload\ncompose:\n  archive: 42\n');
    const cached = runCli(PROJECT_ROOT, [...VALIDATE, workload]);
    expect(cached.status).toBe(1);
    expect(cached.stdout).toMatch(/workload\.compose\.archive: /);
    const flags = ['--max-old-space-size=200'];
    expect(codeCacheUse(PROJECT_ROOT, flags)).toBe('rejected');
    expect(runCli(PROJECT_ROOT, [...VALIDATE, workload], flags)).toEqual(cached);
    writeFileSync(join(root, 'dist/cli.cjs.cache'), '');
    expect(codeCacheUse(root)).toBe('none');
    expect(runCli(root, [...VALIDATE, workload])).toEqual(cached);
  });
});
