import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opensslKeyPair } from '../helpers/openssl-key-pair.js';
import { PROJECT_ROOT, runCli } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';

/**
 * A batch is many files, and every open file takes a descriptor: a command that opened one per
 * member at once failed with EMFILE once the batch outgrew `ulimit -n` (1024 by default on many
 * systems; far lower here, so that a small batch shows it). Both batch commands keep working
 * under a limit much smaller than the batch.
 */

const tempDir = useTempDir('hpvs-ctl-open-files-');
const MEMBERS = 300;
const OPEN_FILES = 40;

describe(`batches larger than the open-file limit (ulimit -n ${OPEN_FILES})`, () => {
  it.skipIf(!hasTool('openssl'))(
    `contract --batch writes ${MEMBERS} contracts`,
    async () => {
      const dir = join(tempDir(), 'contracts');
      mkdirSync(dir);
      const runtime = opensslKeyPair(dir, 'runtime');
      const signing = opensslKeyPair(dir, 'sign');
      writeFileSync(
        join(dir, 'fleet.yaml'),
        `instances:\n${Array.from({ length: MEMBERS }, (_, i) => `  - name: vm-${i}\n`).join('')}`,
      );
      writeFileSync(
        join(dir, 'workload.yaml'),
        readFileSync(join(PROJECT_ROOT, 'templates/workload-compose.yaml'), 'utf8').replace(
          'REPLACE-with-a-random-workload-seed',
          'fleetWorkloadSeed0123456789',
        ),
      );
      writeFileSync(
        join(dir, 'env.yaml'),
        'type: env\nlogging:\n  logRouter:\n    hostname: fleet.logs.cloud.ibm.com\n    iamApiKey: key\n    port: 443\nvolumes:\n  data:\n    seed: fleetEnvSeed0123456789\n',
      );
      const result = await runCli(
        [
          'contract',
          '--batch',
          join(dir, 'fleet.yaml'),
          '--workload',
          join(dir, 'workload.yaml'),
          '--env',
          join(dir, 'env.yaml'),
          '--cert',
          runtime.publicPath,
          '--sign-key',
          signing.privatePath,
          '--out-dir',
          join(dir, 'out'),
        ],
        { openFilesLimit: OPEN_FILES },
      );
      expect(result.stderr).not.toMatch(/EMFILE/);
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(join(dir, 'out'))).toHaveLength(MEMBERS);
    },
    120_000,
  );

  it(`attestation verify --batch reads ${MEMBERS} bundle folders`, async () => {
    const batch = join(tempDir(), 'bundles');
    for (let i = 0; i < MEMBERS; i++) {
      const folder = join(batch, `instance-${i}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'se-checksums.txt'), 'not a record\n');
      writeFileSync(join(folder, 'se-signature.bin'), 'not a signature');
    }
    const cert = join(
      PROJECT_ROOT,
      'certs/ibm/hpvs/ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
    );
    const result = await runCli(['attestation', 'verify', '--batch', batch, '--cert', cert], {
      openFilesLimit: OPEN_FILES,
    });
    // every bundle fails on its contents, none because its files could not be opened
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/EMFILE/);
    expect(result.stdout).toContain(`${MEMBERS} bundles: 0 passed, ${MEMBERS} failed`);
  }, 120_000);
});
