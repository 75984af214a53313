import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-emulator-platform-');
const TEMPLATES = join(import.meta.dirname, '..', '..', '..', 'templates');
let dir: string;

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(result.code, `hpvs-ctl ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A contract of the given workload and a log-router env, encrypted for the state's certificate. */
async function contract(name: string, workload: string, extra: string[]): Promise<string> {
  await ok([
    'contract',
    '--workload',
    workload,
    '--env',
    'env.yaml',
    '--cert',
    'ccrv/public/encrypt.crt',
    ...extra,
    '--out',
    name,
  ]);
  return name;
}

const boot = (userData: string) =>
  runCli(['emulator', 'boot', userData, '--state', 'ccrv', '--out-dir', `out-${userData}`], {
    cwd: dir,
  });

describe('emulator init --platform and boot', () => {
  beforeAll(async () => {
    dir = join(tempDir(), 'run');
    mkdirSync(dir, { recursive: true });
    const init = await ok(
      story.emulatorInit({ state: 'ccrv', platform: 'hpcr-rhvs', keyBits: 2048 }),
    );
    expect(init).toContain('(ccrv, tokens contract-basic)');
    writeFileSync(join(dir, 'key.txt'), `${'a'.repeat(32)}\n`);
    await ok(['workload', '--play', join(TEMPLATES, 'play'), '--out', 'play.yaml']);
    await ok(['workload', '--compose', join(TEMPLATES, 'compose'), '--out', 'compose.yaml']);
    await ok(
      story.env({ logRouterHost: 'h.example.com', logRouterKeyFile: 'key.txt', out: 'env.yaml' }),
    );
  }, 60_000);

  it('records the platform in the state', () => {
    expect(JSON.parse(readFileSync(join(dir, 'ccrv', 'state.json'), 'utf8')).platform).toBe('ccrv');
  });

  it('boots a pod contract with contract-basic tokens', async () => {
    const result = await boot(await contract('good.yaml', 'play.yaml', ['--platform', 'ccrv']));
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('HPL10001I');
  });

  it('refuses a hyper-protect-basic token as the runtime does: HPL11001E', async () => {
    const result = await boot(await contract('hpb.yaml', 'play.yaml', ['--platform', 'hpvs']));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /hpl-bootloader\[\d+\]: HPL11001E: Unable to decrypt the contract section workload: the token starts with hyper-protect-basic, but this ccrv runtime reads only contract-basic tokens \(encrypt with --platform ccrv\)$/m,
    );
    expect(result.stdout).toContain('HPL10000E');
    expect(result.stdout).not.toContain('HPL11099I');
  });

  it("refuses a workload kind ccrv's schema does not allow: HPL05001E", async () => {
    // hpvs allows compose; with the contract-basic prefix it passes the bootloader
    const result = await boot(
      await contract('ud-compose.yaml', 'compose.yaml', ['--prefix', 'contract-basic']),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('HPL11099I');
    expect(result.stdout).toMatch(/hpl-contract\[\d+\]: HPL05001E: .*workload/);
    expect(result.stdout).toContain('HPL10000E');
  });

  it('refuses an unknown platform, and a state with a bad platform', async () => {
    const unknown = await runCli(['emulator', 'init', '--state', 'x', '--platform', 'zvm'], {
      cwd: dir,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ccrt');
    const statePath = join(dir, 'ccrv', 'state.json');
    const facts = readFileSync(statePath, 'utf8');
    try {
      writeFileSync(statePath, facts.replace('"ccrv"', '"zvm"'));
      const result = await boot('good.yaml');
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain('unknown platform "zvm"');
    } finally {
      writeFileSync(statePath, facts);
    }
  });
});
