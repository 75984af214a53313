import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCliError } from '../../helpers/expect-error.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-validate-');
let f: AuthoringFiles;
const file = (name: string, text: string) => {
  writeFileSync(join(f.dir, name), text);
  return join(f.dir, name);
};

const ENV =
  'env:\n  type: env\n  logging:\n    logRouter:\n      hostname: logs.example.com\n      iamApiKey: key\n';

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
});

describe('hpvs-ctl validate', () => {
  it('accepts a valid contract built by the section commands', async () => {
    const workload = (
      await runCli(
        story.workload({ compose: f.composeDir, volume: 'data', seedFile: f.workloadSeed }),
      )
    ).stdout;
    const indent = (text: string) => text.trimEnd().replace(/^/gm, '  ');
    const userData = file(
      'user-data.yaml',
      `workload:\n${indent(workload)}\n${ENV}  volumes:\n    data:\n      seed: env-seed-0123456789\n`,
    );
    const result = await runCli(['validate', userData]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${userData}: valid contract\n`);
  });

  it('prints every problem as FILE:LINE:COL path: message and exits 1', async () => {
    const userData = file(
      'invalid.yaml',
      `workload:\n  type: workload\n  play:\n    resources: []\n  volumes:\n    data:\n      seed: short\n${ENV}  env:\n    PORT: 8080\n`,
    );
    const result = await runCli(['validate', userData]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `${userData}:6:5 workload.volumes.data: env.volumes has no "data": the LUKS passphrase needs the env seed of the same volume (the runtime stops with HPL07015E)`,
      `${userData}:7:13 workload.volumes.data.seed: must be at least 15 characters from a-z A-Z 0-9 !@#$%^&*(),.?":{}|<>_-`,
      `${userData}:15:11 env.env.PORT: must be a string: quote it ("8080", "true"), YAML reads it as another type otherwise`,
      `${userData}: invalid contract`,
      '',
    ]);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/invalid\.yaml: 3 errors in the contract/);
  });

  it('prints the same report as JSON with --json', async () => {
    const userData = file(
      'json.yaml',
      `workload:\n  type: workload\n  play: {}\n${ENV}  env:\n    PORT: 8080\n`,
    );
    const result = await runCli(['validate', userData, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ file: userData, section: null, valid: false, encrypted: [] });
    expect(report.problems).toEqual([
      expect.objectContaining({ severity: 'warning', line: 3, col: 3, path: 'workload.play' }),
      expect.objectContaining({ severity: 'error', line: 11, col: 11, path: 'env.env.PORT' }),
    ]);
  });

  it('names the flags of a problem the core words by concept, in text and JSON alike', async () => {
    const userData = file(
      'plain-rego.yaml',
      `workload:\n  type: workload\n  confidential-containers:\n    regoValidator:\n      policy: not-base64!\n${ENV}`,
    );
    const said =
      'workload.confidential-containers.regoValidator.policy: must be the base64 of the Rego policy (hpvs-ctl policy generate --pod pod.yaml --base64)';
    const text = await runCli(['validate', userData, '--platform', 'ccco']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${userData}:5:15 ${said}\n`);
    const json = await runCli(['validate', userData, '--platform', 'ccco', '--json']);
    const problem = JSON.parse(json.stdout).problems.find(
      (found: { rule?: string }) => found.rule === 'rego-policy-usable',
    );
    expect(Object.keys(problem)).toEqual([
      'severity',
      'source',
      'line',
      'col',
      'path',
      'message',
      'rule',
    ]);
    expect(`${problem.path}: ${problem.message}`).toBe(said);
  });

  it('validates one section with --section, or by its type: key, from a file or stdin', async () => {
    const section = 'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n';
    const path = file('env.yaml', section);
    for (const args of [[path, '--section', 'env'], [path]]) {
      const result = await runCli(['validate', ...args]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `${path}:3:3 env.logging.syslog: missing required key "server"`,
      );
    }
    const stdin = await runCli(['validate', '-', '--section', 'env'], { stdin: section });
    expect(stdin.stdout).toContain('stdin:3:3 env.logging.syslog: missing required key "server"');
  });

  it('checks a section on its own against the whole schema: type: env alone misses logging', async () => {
    // IBM's validate-contract --type env passes this (SPEC-IBM A2.9); the runtime would not
    const result = await runCli([
      'validate',
      file('type-only.yaml', 'type: env\n'),
      '--section',
      'env',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/type-only\.yaml:1:1 env: missing required key "logging"/);
  });

  it("reads | block-string sections, reports inside them at the file's line:col and says which form it found", async () => {
    const blocks = file(
      'blocks.yaml',
      `workload: |\n  type: workload\n  play: {}\nenv: |\n  type: env\n  logging:\n    logRouter:\n      hostname: logs.example.com\n      iamApiKey: key\n  env:\n    PORT: 8080\n`,
    );
    const text = await runCli(['validate', blocks]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${blocks}:11:11 env.env.PORT: must be a string`);
    const json = JSON.parse((await runCli(['validate', blocks, '--json'])).stdout);
    expect(json.forms).toEqual({ workload: 'string', env: 'string' });
    expect(json.problems).toEqual([
      expect.objectContaining({ severity: 'warning', line: 3, col: 3, path: 'workload.play' }),
      expect.objectContaining({ severity: 'error', line: 11, col: 11, path: 'env.env.PORT' }),
    ]);
  });

  it('applies the platform: ccrv runs play only; --profile still works, deprecated', async () => {
    const userData = file(
      'compose.yaml',
      `workload:\n  type: workload\n  compose:\n    archive: AAAA\n${ENV}`,
    );
    const result = await runCli(['validate', userData, '--platform', 'ccrv']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('workload.compose: CCRV does not run compose');
    const alias = await runCli(['validate', userData, '--platform', 'hpcr-rhvs']);
    expect(alias.stdout).toBe(result.stdout);
    expect(alias.stderr).toContain('platform "hpcr-rhvs" is ccrv');
    const old = await runCli(['validate', userData, '--profile', 'ccrv']);
    expect(old.stdout).toBe(result.stdout);
    expect(old.stderr).toContain('--profile is deprecated');
    // hpvs and ccrt (one schema) run compose: the same file fails only on its archive
    for (const platform of ['hpvs', 'ccrt']) {
      const other = await runCli(['validate', userData, '--platform', platform]);
      expect(other.stdout).not.toContain('does not run compose');
      expect(other.stdout).toContain('workload.compose.archive');
    }
    const clash = await runCli(['validate', userData, '--platform', 'ccrt', '--profile', 'ccrv']);
    expect(clash.code).toBe(2);
    // ccco (the coco schema) runs compose too
    const coco = await runCli(['validate', userData, '--platform', 'ccco']);
    expect(coco.code).toBe(1);
    expect(coco.stdout).not.toContain('does not run compose');
    expect(coco.stdout).toContain('workload.compose.archive');
  });

  it('ccco env volumes follow the coco schema: seed required, no uv-secret-id or grep11; logRouter tags allowed', async () => {
    const policy = Buffer.from(
      'package agent_policy\n\ndefault CreateContainerRequest := false\n',
    ).toString('base64');
    const contract = (volume: string) =>
      `workload:\n  type: workload\n  confidential-containers:\n    regoValidator:\n      policy: ${policy}\n  volumes:\n    data:\n      seed: ThisIsAValidWorkload123\n` +
      `env:\n  type: env\n  logging:\n    logRouter:\n      hostname: logs.example.com\n      iamApiKey: key\n      tags: [team-a]\n  volumes:\n    data:\n${volume}`;
    const good = await runCli([
      'validate',
      file('coco-good.yaml', contract('      seed: ThisIsAValidEnv123\n      volumeID: vol-123\n')),
      '--platform',
      'ccco',
    ]);
    expect(good.stdout).toMatch(/coco-good\.yaml: valid contract\n$/);
    expect(good.code).toBe(0);
    const uv = file('coco-uv.yaml', contract('      uv-secret-id: index-1\n'));
    const bad = await runCli(['validate', uv, '--platform', 'ccco']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${uv}:17:5 env.volumes.data: missing required key "seed"`);
    expect(bad.stdout).toContain(
      `${uv}:18:7 env.volumes.data.uv-secret-id: unknown key (allowed: seed, previousSeed, kms, kmsTimeout, apiKey, volumeName, volumeID)`,
    );
    // one message for the missing seed: not the hpvs advice to use uv-secret-id instead
    expect(bad.stdout).not.toContain('or uv-secret-id');
    const grep11 = file(
      'coco-grep11.yaml',
      contract(
        '      seed: ThisIsAValidEnv123\n      grep11:\n        address: hsm.example.com:9876\n',
      ),
    );
    const noGrep11 = await runCli(['validate', grep11, '--platform', 'ccco']);
    expect(noGrep11.code).toBe(1);
    expect(noGrep11.stdout).toContain(`${grep11}:19:7 env.volumes.data.grep11: unknown key`);
    // the same uv-secret-id volume is the hpvs schema's other way to a passphrase
    const hpvs = await runCli(['validate', uv, '--platform', 'hpvs']);
    expect(hpvs.stdout).not.toContain('env.volumes.data');
    expect(hpvs.stdout).toContain('env.logging.logRouter.tags: unknown key');
  });

  it('reports encrypted sections after checking their shape', async () => {
    const token = (
      await runCli(['encrypt', '--cert', f.hpcrCert], { stdin: 'type: env\n' })
    ).stdout.trim();
    const good = await runCli([
      'validate',
      file('enc.yaml', `workload: ${token}\nenv: ${token}\n`),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(
      'workload: note: encrypted (hyper-protect-basic, RSA-4096 wrapped password)',
    );
    const bad = await runCli([
      'validate',
      file('bad-enc.yaml', `workload: ${token.slice(0, -8)}\nenv: ${token}\n`),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/bad-enc\.yaml:1:11 workload: malformed encrypted section/);
  });

  it('fails cleanly on unreadable, empty and non-YAML input, and on usage errors', async () => {
    await expectCliError(
      ['validate', join(f.dir, 'missing.yaml')],
      /missing\.yaml: contract file not found/,
    );
    await expectCliError(['validate', file('empty.yaml', '\n')], /empty\.yaml: the file is empty/);
    await expectCliError(
      ['validate', file('broken.yaml', 'workload:\n  type: [\n')],
      /broken\.yaml:\d+:\d+: invalid YAML/,
    );
    await expectCliError(
      ['validate', file('list.yaml', '- a\n')],
      /list\.yaml:1:1: user data must be a YAML mapping/,
    );
    for (const args of [
      [],
      ['x', '--section', 'attestation'],
      ['x', '--profile', 'hpcr'],
      ['x', '--platform', 'hpcr'],
      ['x', '--network-config', '--section', 'env'],
    ]) {
      expect((await runCli(['validate', ...args])).code).toBe(2);
    }
  });
});
