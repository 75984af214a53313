import type { Command } from '@commander-js/extra-typings';
import { warn } from '../../node/console.js';
import { writeResult } from '../../node/write-output.js';
import { examples } from './help-examples.js';

export function registerArchive(program: Command): void {
  program
    .command('archive')
    .description(
      "Print the base64 (one line) of a deterministic gzip'd tar of a folder's contents, for workload compose.archive or play.archive.",
    )
    .argument('<dir>', 'the folder to archive (its contents, not the folder itself)')
    .option('--out <path>', 'write the base64 to this file instead of stdout')
    .option('--play', 'the folder holds pod YAML for play.archive, not a docker-compose file')
    .addHelpText(
      'after',
      examples('hpvs-ctl archive ./compose --out compose.b64', 'hpvs-ctl archive ./pods --play'),
    )
    .action(async (dir, options) => {
      const { archiveFolder } = await import('../../node/archive-folder.js');
      const archive = await archiveFolder(dir, { kind: options.play ? 'play' : 'compose' });
      for (const message of archive.warnings) warn(message);
      // the archive holds the folder's files: no more readable than the most private of them
      await writeResult(options.out, `${archive.base64}\n`, {
        secret: false,
        ceiling: archive.sharedMode,
      });
    });
}
