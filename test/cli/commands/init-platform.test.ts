import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSectionText } from '../../../src/core/contract/user-data.js';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { systemRandom } from '../../../src/node/random.js';
import { validateSection } from '../../../src/core/schema/validate-contract.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { opensslKeyPair } from '../../helpers/openssl-key-pair.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const tempDir = useTempDir();
const path = (...parts: string[]) => join(tempDir(), ...parts);
const read = (...parts: string[]) => readFileSync(path(...parts), 'utf8');
const provider = (dir: string, ...args: string[]) =>
  runCli(['init', '--persona', 'provider', '--out-dir', path(dir), '--volume', 'none', ...args]);

describe('hpvs-ctl init --platform', () => {
  beforeAll(() => {
    opensslKeyPair(tempDir(), 'hpcr', 4096);
  });

  it("ccrv: a pod starter (ccrv runs no compose), valid for ccrv, encrypted with IBM's ccrv certificate", async () => {
    const result = await provider(
      'ccrv',
      '--platform',
      'ccrv',
      '--encrypt',
      '--play',
      path('ccrv', 'pod'),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("encrypting for IBM's ccrv");
    expect(readdirSync(path('ccrv', 'pod'))).toEqual(['pod.yaml']);
    const workload = read('ccrv', 'workload.yaml');
    expect(Object.keys(parse(workload))).toContain('play');
    const report = await validateSection(parseSectionText('workload', workload, 'workload.yaml'), {
      now: new Date(),
      platform: 'ccrv',
    });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(read('ccrv', 'workload.enc')).toMatch(/^contract-basic\.\S+\n$/);
  });

  it("ccco-peerpod with --cert: a confidential-containers starter, valid for ccco, encrypted with ccco's prefix", async () => {
    const result = await runCli([
      'init',
      '--persona',
      'provider',
      '--out-dir',
      path('ccco'),
      '--platform',
      'ccco-peerpod',
      '--cert',
      path('hpcr-public.pem'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const workload = read('ccco', 'workload.yaml');
    expect(Object.keys(parse(workload))).toEqual(['type', 'confidential-containers']);
    const report = await validateSection(parseSectionText('workload', workload, 'workload.yaml'), {
      now: new Date(),
      platform: 'ccco',
    });
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const token = read('ccco', 'workload.enc').trim();
    expect(token.startsWith('hyper-protect-basic.')).toBe(true);
    const key = createPrivateKey(readFileSync(path('hpcr.pem')));
    expect(decryptSection(token, key, systemRandom).toString()).toBe(workload);
  });

  it('ccrt with --cert: the token has the platform prefix and opens to workload.yaml', async () => {
    const result = await provider(
      'ccrt',
      '--platform',
      'ccrt',
      '--cert',
      path('hpcr-public.pem'),
      '--compose',
      path('ccrt', 'compose'),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path('ccrt', 'compose', 'docker-compose.yaml'))).toBe(true);
    const token = read('ccrt', 'workload.enc').trim();
    expect(token.startsWith('contract-basic.')).toBe(true);
    const key = createPrivateKey(readFileSync(path('hpcr.pem')));
    expect(decryptSection(token, key, systemRandom).toString()).toBe(read('ccrt', 'workload.yaml'));
  });

  it('without encryption, names the platform in the next step', async () => {
    const result = await provider('next', '--platform', 'hpvs', '--compose', path('next', 'c'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('hpvs-ctl encrypt workload.yaml --platform hpvs');
  });

  it('refuses what the platform cannot run, an unsupported platform and encryption without a runtime', async () => {
    for (const [dir, args, text] of [
      ['bad1', ['--platform', 'ccrv', '--compose', path('c1')], 'ccrv runs no compose workload'],
      ['bad3', ['--encrypt', '--play', path('p3')], 'ccrt'],
      ['bad4', ['--cert-version', '1.0.28', '--play', path('p4')], '--cert-version'],
      ['bad5', ['--platform', 'zvm', '--play', path('p5')], 'ccrv'],
    ] as const) {
      const result = await provider(dir, ...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain(text);
      expect(existsSync(path(dir))).toBe(false);
    }
  });
});
