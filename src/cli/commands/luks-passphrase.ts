import type { Command } from '@commander-js/extra-typings';
import { warn } from '../../node/console.js';
import { writeResult } from '../../node/write-output.js';
import { examples } from './help-examples.js';

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
      const [{ luksPassphraseFromFiles }, { nodeInputReaders }] = await Promise.all([
        import('../../app/luks-passphrase-from-files.js'),
        import('../../app/input-readers.js'),
      ]);
      const { passphrase, warnings } = await luksPassphraseFromFiles(
        {
          envSeedFile: options.envSeedFile,
          workloadSeedFile: options.workloadSeedFile,
          thirdSeedFile: options.thirdSeedFile,
        },
        nodeInputReaders,
      );
      for (const message of warnings) warn(message);
      // A key file must hold the passphrase alone: cryptsetup --key-file keeps a newline.
      await writeResult(options.out, options.out === undefined ? `${passphrase}\n` : passphrase, {
        secret: true,
        from: [options.envSeedFile, options.workloadSeedFile, options.thirdSeedFile],
      });
    });
}
