import { describe, expect, it } from 'vitest';
import { buildCidata } from '../../src/app/build-cidata.js';
import { cliMessage } from '../../src/cli/commands/input-phrases.js';
import { HpvsError } from '../../src/core/errors.js';

// sections shaped like tokens (an RSA-4096 block, an openssl salted body): nobody opens them here
const TOKEN = `hyper-protect-basic.${Buffer.alloc(512, 1).toString('base64')}.${Buffer.concat([
  Buffer.from('Salted__'),
  Buffer.alloc(24, 2),
]).toString('base64')}`;
const USER_DATA = `workload: ${TOKEN}\nenv: ${TOKEN}\n`;

async function refusal(userData: string, networkConfig?: string): Promise<HpvsError> {
  const error = await buildCidata({
    userData: { bytes: Buffer.from(userData), source: 'user-data.yaml' },
    ...(networkConfig === undefined
      ? {}
      : { networkConfig: { bytes: Buffer.from(networkConfig), source: 'network-config' } }),
    epoch: 0,
    now: new Date('2026-06-01T00:00:00Z'),
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(HpvsError);
  return error as HpvsError;
}

describe('buildCidata refusals: the use case says concepts, the CLI its commands', () => {
  it('points to the validator for the other problems of the user data', async () => {
    const error = await refusal('workload: 5\nenv: 5\n');
    expect(error.message).toMatch(/ \(and \d+ more; validate the contract to see them all\)$/);
    expect(cliMessage(error)).toMatch(/ \(and \d+ more; run hpvs-ctl validate\)$/);
  });

  it('points to the validator for the other problems of the network-config', async () => {
    const error = await refusal(
      USER_DATA,
      'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: 7\n    eth1:\n      dhcp6: 7\n',
    );
    expect(error.code).toBe('NETWORK_CONFIG_INVALID');
    expect(error.message).toMatch(
      / \(and \d+ more; validate the network configuration to see them all\)$/,
    );
    expect(cliMessage(error)).toMatch(/ \(and \d+ more; run hpvs-ctl validate --network-config\)$/);
  });
});
