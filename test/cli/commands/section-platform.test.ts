import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { systemRandom } from '../../../src/node/random.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-section-platform-');
let f: AuthoringFiles;
let workloadYaml: string;
let envYaml: string;
let counter = 0;
const out = () => join(f.dir, `out-${++counter}.yaml`);
const TOKEN = (prefix: string) => new RegExp(`^${prefix}\\.[A-Za-z0-9+/=]+\\.[A-Za-z0-9+/=]+\\n$`);
const router = () => [
  '--log-router-host',
  'h.example.com',
  '--log-router-key-file',
  join(f.dir, 'apikey.txt'),
];

/** A usage error that lists every platform, so the user can pick one. */
function expectPlatformList(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(isOneLineError(result.stderr)).toBe(true);
  for (const name of ['hpvs', 'ccrt', 'ccrv', 'ccco']) expect(result.stderr).toContain(name);
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(join(f.dir, 'apikey.txt'), 'a'.repeat(32) + '\n');
  workloadYaml = join(f.dir, 'workload.yaml');
  envYaml = join(f.dir, 'env.yaml');
  expect((await runCli(['workload', '--compose', f.composeDir, '--out', workloadYaml])).code).toBe(
    0,
  );
  expect((await runCli(['env', ...router(), '--out', envYaml])).code).toBe(0);
});

describe('workload and env --platform', () => {
  it("encrypts with the catalogue's certificate and the platform's prefix, and says which", async () => {
    const workload = await runCli(
      story.workload({ compose: f.composeDir, platform: 'ccrt', encrypt: true }),
    );
    expect(workload.code, workload.stderr).toBe(0);
    expect(workload.stdout).toMatch(TOKEN('contract-basic'));
    expect(workload.stderr).toContain("encrypting for IBM's ccrt");
    const env = await runCli([
      'env',
      ...router(),
      '--platform',
      'hpvs',
      '--cert-version',
      '1.0.28',
    ]);
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toMatch(TOKEN('hyper-protect-basic'));
    expect(env.stderr).toContain("encrypting for IBM's hpvs 1.0.28");
  });

  it('uses --cert with the platform prefix, which opens with the matching key', async () => {
    const result = await runCli(['env', ...router(), '--platform', 'ccrv', '--cert', f.hpcrCert]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(TOKEN('contract-basic'));
    const plain = await runCli(['env', ...router()]);
    const key = createPrivateKey(readFileSync(f.hpcrKey));
    expect(decryptSection(result.stdout.trim(), key, systemRandom).toString()).toBe(plain.stdout);
  });

  it("checks the section against the platform's schema: ccrv takes no compose workload", async () => {
    const result = await runCli(['workload', '--compose', f.composeDir, '--platform', 'ccrv']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/workload: needs play/);
  });

  it('refuses --encrypt with neither --platform nor --cert, listing the platforms', async () => {
    expectPlatformList(await runCli(['workload', '--compose', f.composeDir, '--encrypt']));
    expectPlatformList(await runCli(['env', ...router(), '--encrypt']));
    const version = await runCli(['env', ...router(), '--cert-version', '1.0.28']);
    expect(version.code).toBe(2);
    const unknown = await runCli(['env', ...router(), '--platform', 'zvm', '--cert', f.hpcrCert]);
    expectPlatformList(unknown);
    // ccco's coco schema allows compose too
    const ccco = await runCli(['workload', '--compose', f.composeDir, '--platform', 'ccco']);
    expect(ccco.code, ccco.stderr).toBe(0);
  });
});

describe('contract --platform', () => {
  it('encrypts both sections for the platform with --encrypt', async () => {
    const target = out();
    const result = await runCli(
      story.contract({
        workload: workloadYaml,
        env: envYaml,
        platform: 'ccrt',
        encrypt: true,
        out: target,
      }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(
      /^workload: contract-basic\.\S+\nenv: contract-basic\.\S+\n$/,
    );
  });

  it('gives --cert the platform prefix, in --in as well', async () => {
    const plain = out();
    expect(
      (await runCli(['contract', '--workload', workloadYaml, '--env', envYaml, '--out', plain]))
        .code,
    ).toBe(0);
    const target = out();
    const result = await runCli(
      story.contract({ in: plain, platform: 'ccrv', cert: f.hpcrCert, out: target }),
    );
    // ccrv allows no compose workload: the schema of the platform checks the input
    expect(result.code).toBe(1);
    const hpvs = await runCli(
      story.contract({ in: plain, platform: 'ccrt', cert: f.hpcrCert, out: target }),
    );
    expect(hpvs.code, hpvs.stderr).toBe(0);
    const text = readFileSync(target, 'utf8');
    expect(text).toMatch(/^workload: contract-basic\.\S+\nenv: contract-basic\.\S+\n$/);
    const key = createPrivateKey(readFileSync(f.hpcrKey));
    const workloadToken = /^workload: (\S+)$/m.exec(text)![1]!;
    expect(decryptSection(workloadToken, key, systemRandom).toString()).toBe(
      readFileSync(workloadYaml, 'utf8'),
    );
  });

  it('keeps --profile and --prefix as deprecated aliases that may not contradict --platform', async () => {
    const profile = await runCli([
      'contract',
      '--workload',
      workloadYaml,
      '--env',
      envYaml,
      '--profile',
      'hpvs',
      '--out',
      out(),
    ]);
    expect(profile.code, profile.stderr).toBe(0);
    expect(profile.stderr).toContain('--profile is deprecated');
    const clash = await runCli([
      'contract',
      '--workload',
      workloadYaml,
      '--env',
      envYaml,
      '--profile',
      'hpvs',
      '--platform',
      'ccrv',
      '--out',
      out(),
    ]);
    expect(clash.code).toBe(2);
    const prefix = await runCli(
      story.contract({
        workload: workloadYaml,
        env: envYaml,
        platform: 'hpvs',
        cert: f.hpcrCert,
        prefix: 'contract-basic',
        out: out(),
      }),
    );
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain('contradicts --platform');
  });

  it('--batch: every contract gets the platform prefix, and --encrypt takes the catalogue certificate', async () => {
    const inventory = join(f.dir, 'fleet.yaml');
    writeFileSync(inventory, 'instances:\n  - name: a\n  - name: b\n');
    const outDir = join(f.dir, 'batch');
    const args = ['contract', '--workload', workloadYaml, '--env', envYaml, '--batch', inventory];
    const result = await runCli([
      ...args,
      '--platform',
      'ccrt',
      '--cert',
      f.hpcrCert,
      '--out-dir',
      outDir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const key = createPrivateKey(readFileSync(f.hpcrKey));
    for (const name of ['a', 'b']) {
      const text = readFileSync(join(outDir, `${name}.yaml`), 'utf8');
      expect(text).toMatch(/^workload: contract-basic\.\S+\nenv: contract-basic\.\S+\n$/);
      const env = /^env: (\S+)$/m.exec(text)![1]!;
      expect(decryptSection(env, key, systemRandom).toString()).toContain('logRouter');
    }
    const catalogue = await runCli([
      ...args,
      '--platform',
      'ccrt',
      '--encrypt',
      '--out-dir',
      join(f.dir, 'batch-ccrt'),
    ]);
    expect(catalogue.code, catalogue.stderr).toBe(0);
    expect(catalogue.stderr).toContain("encrypting for IBM's ccrt");
    // the compose workload is not one ccrv runs: the platform's schema refuses it
    const ccrv = await runCli([
      ...args,
      '--platform',
      'ccrv',
      '--encrypt',
      '--out-dir',
      join(f.dir, 'batch-ccrv'),
    ]);
    expect(ccrv.code).toBe(1);
    expectPlatformList(
      await runCli([...args, '--encrypt', '--out-dir', join(f.dir, 'batch-none')]),
    );
  });

  it('refuses --encrypt with neither --platform nor --cert, listing the platforms', async () => {
    expectPlatformList(
      await runCli(
        story.contract({ workload: workloadYaml, env: envYaml, encrypt: true, out: out() }),
      ),
    );
  });
});
