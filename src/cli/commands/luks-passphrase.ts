import type { Command } from '@commander-js/extra-typings';
import { deriveLuksPassphrase } from '../../core/crypto/luks-passphrase.js';
import { warn } from '../../node/console.js';
import { readSecret } from '../../node/read-secret.js';
import { writeResult } from '../../node/write-output.js';
import { PATTERNS, SEED_CHARACTERS } from '../../core/schema/contract-schema.js';
import { examples } from './help-examples.js';

const SEED = new RegExp(PATTERNS.seed, 'u');

export function registerLuksPassphrase(program: Command): void {
  program
    .command('luks-passphrase')
    .description(
      'Print the LUKS passphrase the runtime derives for a data volume: sha256 of the env seed followed by the workload seed (env seed FIRST, then workload seed, then the optional third seed), as 64 lowercase hex characters.',
    )
    .requiredOption(
      '--env-seed-file <file>',
      "the env volume seed (Workload Deployer's; hashed first)",
    )
    .requiredOption(
      '--workload-seed-file <file>',
      "the workload volume seed (Workload Provider's; hashed second)",
    )
    .option('--third-seed-file <file>', 'the third seed of an HPCS (KMS) volume, appended last')
    .option(
      '--out <path>',
      'write the passphrase to this key file (mode 0600, no final newline, for cryptsetup --key-file) instead of stdout',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl luks-passphrase --env-seed-file env.seed --workload-seed-file workload.seed',
        'hpvs-ctl luks-passphrase --env-seed-file env.seed --workload-seed-file workload.seed --out data.key && cryptsetup open --test-passphrase --key-file data.key data.img',
      ),
    )
    .action(async (options) => {
      const envSeed = await readSecret({ file: options.envSeedFile, what: 'env volume seed' });
      const workloadSeed = await readSecret({
        file: options.workloadSeedFile,
        what: 'workload volume seed',
      });
      const thirdSeed =
        options.thirdSeedFile === undefined
          ? undefined
          : await readSecret({ file: options.thirdSeedFile, what: 'third seed' });
      for (const [file, seed] of [
        [options.envSeedFile, envSeed],
        [options.workloadSeedFile, workloadSeed],
      ] as const) {
        if (!SEED.test(seed.toString('utf8'))) {
          warn(
            `${file}: the runtime refuses seeds shorter than 15 characters or outside ${SEED_CHARACTERS}`,
          );
        }
      }
      const passphrase = deriveLuksPassphrase(envSeed, workloadSeed, thirdSeed);
      // A key file must hold the passphrase alone: cryptsetup --key-file keeps a newline.
      await writeResult(options.out, options.out === undefined ? `${passphrase}\n` : passphrase, {
        secret: true,
        from: [options.envSeedFile, options.workloadSeedFile, options.thirdSeedFile],
      });
    });
}
