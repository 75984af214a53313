import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

const ANNOTATION = 'io.katacontainers.config.runtime.cc_init_data';
const tempDir = useTempDir();

function contractFile(text: string): string {
  const path = join(tempDir(), `contract-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(path, text);
  return path;
}

const TOKEN = 'hyper-protect-basic.QUJD.REVG';
const ENCRYPTED = `workload: ${TOKEN}\nenv: ${TOKEN}\nenvWorkloadSignature: c2ln\n`;

describe('hpvs-ctl initdata', () => {
  it('builds a value that inspect decodes to the same sections', async () => {
    const built = await runCli(['initdata', 'build', '--contract', contractFile(ENCRYPTED)]);
    expect(built.code).toBe(0);
    const value = built.stdout.trim();
    expect(value).toMatch(/^H4sI[A-Za-z0-9+/=]+$/);
    const inspected = await runCli(['initdata', 'inspect', value, '--json']);
    expect(inspected.code).toBe(0);
    const report = JSON.parse(inspected.stdout) as {
      contract: { bytes: number; sections: { key: string; form: string }[] };
      seHeader: unknown;
    };
    expect(report.contract.bytes).toBe(ENCRYPTED.length);
    // both sections are tokens: the contract's digest is given
    expect((report.contract as unknown as { sha256: string }).sha256).toBe(
      createHash('sha256').update(ENCRYPTED).digest('hex'),
    );
    expect(report.contract.sections.map((s) => [s.key, s.form])).toEqual([
      ['workload', 'token'],
      ['env', 'token'],
      ['envWorkloadSignature', 'string'],
    ]);
    expect(report.seHeader).toBeNull();
  });

  it('refuses a plaintext contract without --allow-plaintext, and never shows its contents', async () => {
    const plain = contractFile(
      'workload: |\n  type: workload\nenv: |\n  type: env\n  secret: hunter2\n',
    );
    await expectCliError(['initdata', 'build', '--contract', plain], /workload is not encrypted/);
    const built = await runCli(['initdata', 'build', '--contract', plain, '--allow-plaintext']);
    expect(built.code).toBe(0);
    const inspected = await runCli(['initdata', 'inspect', built.stdout.trim()]);
    expect(inspected.stdout).toMatch(/env: string, \d+ bytes/);
    expect(inspected.stdout).not.toContain('hunter2');
    // nor a digest of it: a guessing oracle for the plaintext (README, Results as data)
    expect(inspected.stdout).toContain('sha256 withheld (a section is plaintext)');
    const json = await runCli(['initdata', 'inspect', built.stdout.trim(), '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).contract.sha256).toBeNull();
  });

  it('inspects a bare-metal value: the contract without its boot header, and the header apart', async () => {
    const header = randomBytes(640);
    const headerFile = join(tempDir(), 'se-header.bin');
    writeFileSync(headerFile, header);
    const contract = contractFile(ENCRYPTED);
    const built = await runCli(story.initdataBuild({ contract, seHeader: headerFile }));
    expect(built.code, built.stderr).toBe(0);
    const inspected = await runCli(['initdata', 'inspect', built.stdout.trim(), '--json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout) as {
      contract: { bytes: number; sha256: string };
      seHeader: { bytes: number; sha256: string };
    };
    expect(report.contract.bytes).toBe(ENCRYPTED.length);
    expect(report.contract.sha256).toBe(createHash('sha256').update(ENCRYPTED).digest('hex'));
    expect(report.seHeader).toEqual({
      bytes: header.length,
      sha256: createHash('sha256').update(header).digest('hex'),
    });
  });

  it('puts the value into a Deployment pod template with --pod, keeping the rest', async () => {
    const pod = join(tempDir(), 'deploy.yaml');
    writeFileSync(
      pod,
      '# my app\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      runtimeClassName: kata-remote\n      containers: [{name: a, image: busybox}]\n',
    );
    const out = join(tempDir(), 'deploy-out.yaml');
    const result = await runCli(
      story.initdataBuild({ contract: contractFile(ENCRYPTED), pod, out }),
    );
    expect(result.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('# my app\n')).toBe(true);
    const manifest = parseYaml(text) as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    const value = manifest.spec.template.metadata.annotations[ANNOTATION]!;
    expect(value).toMatch(/^H4sI/);
    const inspected = await runCli(['initdata', 'inspect', out]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain('workload: token (hyper-protect-basic)');
  });

  it('warns above 200 KiB', async () => {
    const big = `workload: ${TOKEN}\nenv: hyper-protect-basic.${randomBytes(160 * 1024).toString('base64')}.QQ\n`;
    const result = await runCli(['initdata', 'build', '--contract', contractFile(big)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/256 KiB for all annotations/);
  });

  it('rejects a value that is not initdata with one line', async () => {
    await expectCliError(['initdata', 'inspect', 'H4sIAAAA'], /initdata gzip data is corrupted/);
  });
});
