import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PROJECT_ROOT } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';

const tempDir = useTempDir();

/**
 * Runs `node scripts/demo.mjs` (the README's `npm run demo` after its build step). A demo still
 * running when its test ends (a timeout) is killed with everything it started (its log-server,
 * which would otherwise outlive it) and its work folder removed.
 */
function runDemo(path = process.env['PATH'] ?? ''): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'scripts/demo.mjs')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PATH: path, NO_COLOR: '1' },
      detached: true,
    });
    onTestFinished(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGKILL');
      // the busybox image the demo imported for its podman boots (scripts/lib/podman-workload.mjs)
      spawnSync('podman', ['rmi', '--force', `localhost/hpvs-ctl-demo-busybox:${child.pid}`]);
      const work = /^work folder: (\S+)$/m.exec(output)?.[1];
      if (work?.startsWith(join(tmpdir(), 'hpvs-demo-')))
        rmSync(work, { recursive: true, force: true });
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

// the whole story: about 25 s of CPU (RSA-4096 identity, LUKS2, podman) that a machine busy
// with other work stretches well past the default timeout; a guard against hangs, never timed
const DEMO_TIMEOUT = 240_000;

const summaryLine = (output: string, text: string) =>
  output.split('\n').find((line) => line.includes(text)) ?? '';

describe('npm run demo', { timeout: DEMO_TIMEOUT }, () => {
  it.skipIf(!hasTool('cryptsetup'))(
    `plays the whole story and ends with every summary line ok${hasTool('cryptsetup') ? '' : ' (skipped: cryptsetup is not installed)'}`,
    async () => {
      const { code, output } = await runDemo();
      expect(code, output).toBe(0);
      for (const step of [
        'emulated HPCR identity',
        'boot: services succeeded (HPL10001I)',
        'second boot: LUKS2 volume reopened',
        'tampered contract refused',
        'messages at the deployer',
        'attestation: verified against chain, CRLs, contract, reference',
      ]) {
        expect(summaryLine(output, step), step).toMatch(/^ {2}ok /);
      }
      expect(output).toContain('verdict: OK');
    },
  );

  it('still completes on a machine without cryptsetup, marking the volume step skipped', async () => {
    // a PATH holding only what the demo itself needs: node and sh
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const { code, output } = await runDemo(bin);
    expect(code, output).toBe(0);
    expect(output).toContain('cryptsetup is not installed, so no LUKS2 volume image');
    expect(summaryLine(output, 'second boot: LUKS2 volume reopened')).toMatch(/^ {2}skip /);
    expect(summaryLine(output, 'boot: services succeeded (HPL10001I)')).toMatch(/^ {2}ok /);
    expect(output).toContain('verdict: OK');
  });
});
