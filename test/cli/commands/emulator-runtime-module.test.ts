import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

/**
 * `emulator boot --runtime ./module.mjs` imports the user's module from the built CLI, which
 * runs as a node:vm script where Node.js 20 has no `import()` of its own (bin/load-cli.js lends
 * one, src/node/import-module.ts). The runtime is chosen before the contract is read, so a
 * module that is not a runtime shows that the import itself worked.
 */

const tempDir = useTempDir('hpvs-ctl-runtime-module-');
const file = (name: string) => join(tempDir(), name);

beforeAll(async () => {
  const init = await runCli(['emulator', 'init', '--state', file('state'), '--key-bits', '2048']);
  expect(init.code, init.stderr).toBe(0);
  writeFileSync(file('user-data.yaml'), 'workload: x\nenv: y\n');
}, 60_000);

const boot = (module: string) =>
  runCli([
    'emulator',
    'boot',
    file('user-data.yaml'),
    '--state',
    file('state'),
    '--runtime',
    module,
  ]);

describe('emulator boot --runtime with a module file, from the built CLI', () => {
  it('imports an ES module and checks what it exports', async () => {
    writeFileSync(file('not-a-runtime.mjs'), "export default { name: 'nothing' };\n");
    const result = await boot(file('not-a-runtime.mjs'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not-a-runtime\.mjs does not export a container runtime/);
    expect(result.stderr).not.toMatch(/dynamic import/i);
  });

  it("says why a module cannot be loaded, in the module's own words", async () => {
    writeFileSync(file('broken.mjs'), "throw new Error('the runtime refuses to load');\n");
    const result = await boot(file('broken.mjs'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot load the runtime module .*broken\.mjs: the runtime refuses to load/,
    );
  });
});
