import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCccoProject } from '../../src/app/ccco-starter-project.js';
import { cliMessage } from '../../src/cli/commands/input-phrases.js';
import { HpvsError } from '../../src/core/errors.js';
import { findPlatform, templatesFor } from '../../src/core/platforms/platforms.js';
import { systemRandom } from '../../src/node/random.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-ccco-starter-');

async function deployerRefusal(platform: string, hostKeyDocFile?: string): Promise<HpvsError> {
  const error = await createCccoProject(
    {
      persona: 'ccco-deployer',
      templates: templatesFor(findPlatform(platform)!),
      signingKey: false,
      ...(hostKeyDocFile === undefined ? {} : { hostKeyDocFile }),
    },
    { now: new Date(), random: systemRandom, bits: 2048 },
    () => undefined,
  ).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(HpvsError);
  return error as HpvsError;
}

// the CLI refuses these flag combinations itself; a program calling the use case hears concepts
describe('ccco deployer project: the host key document, by concept', () => {
  it('asks bare metal for one', async () => {
    const error = await deployerRefusal('ccco-bmtl');
    expect(error.message).toBe(
      'ccco bare metal needs a host key document: the IBM Z host key document the pod may run on',
    );
    expect(cliMessage(error)).toBe(
      'ccco bare metal needs --host-key-doc <file>: the IBM Z host key document the pod may run on',
    );
  });

  it('refuses one for a peer pod', async () => {
    const hkd = join(tempDir(), 'hkd.crt');
    writeFileSync(hkd, 'not read\n');
    const error = await deployerRefusal('ccco', hkd);
    expect(error.message).toBe(
      'a host key document is for ccco bare metal (the ccco-bmtl platform); a peer pod takes none',
    );
    expect(cliMessage(error)).toBe(
      '--host-key-doc is for ccco bare metal (--platform ccco-bmtl); a peer pod takes none',
    );
  });
});
