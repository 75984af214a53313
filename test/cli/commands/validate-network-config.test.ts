import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-ctl-network-config-');
const sample = (name: string) => referencePath('fixtures', 'network-config', name);

describe.skipIf(!HAS_REFERENCE)(
  `hpvs-ctl validate --network-config (${REFERENCE_SKIP_REASON})`,
  () => {
    it('accepts the valid sample, with the flag or recognised by content', async () => {
      for (const args of [
        ['--network-config', sample('network_config.yaml')],
        [sample('network_config.yaml')],
      ]) {
        const result = await runCli(['validate', ...args]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toBe(`${sample('network_config.yaml')}: valid network-config\n`);
      }
    });

    it('rejects the invalid sample with file:line:col, exit 1 and one error line', async () => {
      const file = sample('network_config_invalid.yaml');
      const result = await runCli(['validate', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe(
        `${file}:4:5 network.ethernets.enc: "enc" is not an s390x interface name (enc followed by digits, like enc1)\n${file}: invalid network-config\n`,
      );
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain('1 error in the network-config');
    });

    it('reads JSON and stdin, and reports as JSON', async () => {
      const json = join(tempDir(), 'network-config.json');
      writeFileSync(
        json,
        '{"network": {"version": 2, "ethernets": {"enc1": {"dhcp4": false, "addresses": ["10.0.0.1"]}}}}',
      );
      const result = await runCli(['validate', json, '--json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        kind: string;
        valid: boolean;
        problems: Array<Record<string, unknown>>;
      };
      expect(report).toMatchObject({ kind: 'network-config', valid: false });
      expect(report.problems).toEqual([
        expect.objectContaining({ line: 1, col: 81, path: 'network.ethernets.enc1.addresses[0]' }),
      ]);
      const stdin = await runCli(['validate', '-', '--network-config'], {
        stdin: 'network:\n  version: 2\n  ethernets:\n    enc2:\n      dhcp4: true\n',
      });
      expect(stdin.stdout).toBe('stdin: valid network-config\n');
    });

    it('does not mistake a contract for a network-config, nor the reverse with the flag', async () => {
      const notNetwork = join(tempDir(), 'user-data.yaml');
      writeFileSync(notNetwork, 'workload: x\nenv: y\n');
      const contract = await runCli(['validate', notNetwork, '--network-config']);
      expect(contract.code).toBe(1);
      expect(contract.stdout).toContain('missing required key "network"');
      const plain = await runCli(['validate', notNetwork]);
      expect(plain.stdout).toContain('invalid contract');
    });
  },
);
