import type { Command } from '@commander-js/extra-typings';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { note, warn } from '../../node/console.js';
import { readTextInput } from '../../node/read-input.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { cliNotice } from './input-phrases.js';
import type { SkippedImage } from '../../core/image/select-image.js';
import { sha256Hex } from '../../core/crypto/result-digests.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';

/** A VPC region lists a few hundred images, about 2 KiB each. */

export function registerImage(program: Command): void {
  program
    .command('image')
    .description(
      'Pick the Hyper Protect Container Runtime image from an IBM Cloud VPC image list (the VPC API, ibmcloud is images --output json, or Terraform ibm_is_images): the highest version matching --version; prints id, name, version, checksum and status, and says why other HPCR images were left out.',
    )
    .requiredOption('--from <file>', 'the image list (JSON), or - for stdin')
    .option(
      '--version <range>',
      'a version or semver range of the runtime: 1.0.22, >=1.0.21, 1.0.x (default: the newest)',
    )
    .option('--include-deprecated', 'also consider deprecated images (to reproduce an instance)')
    .option(
      '--json',
      'print the image as JSON, with the images left out and why, and the SHA-256 of the list (sha256_in)',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl image --from images.json --version 1.0.21 --json',
        'ibmcloud is images --output json > images.json && hpvs-ctl image --from images.json',
      ),
    )
    .action(async (options) => {
      const source = options.from === '-' ? 'stdin' : options.from;
      const text = await readTextInput(options.from, 'image list', INPUT_LIMITS.imageList);
      const { parseImageList, selectImage } = await import('../../core/image/select-image.js');
      const selection = selectImage(parseImageList(source, text), {
        version: options.version,
        includeDeprecated: options.includeDeprecated,
        source,
      });
      for (const message of selection.warnings) warn(message);
      const { image } = selection;
      if (options.json) {
        const document = {
          ...image,
          skipped: selection.skipped.map(cliSkipped),
          warnings: selection.warnings,
          // the list as read (it holds no secret)
          sha256_in: sha256Hex(text),
        };
        // names and reasons come from the list: escaped like every input on a terminal
        await writeStdout(`${jsonForTerminal(document)}\n`);
        return;
      }
      for (const skipped of selection.skipped) {
        note(`hpvs-ctl: left out ${skipped.name}: ${cliSkipped(skipped).reason}`);
      }
      await writeStdout(
        `id: ${image.id}\nname: ${image.name}\nversion: ${image.version}\nchecksum: ${image.checksum}\nstatus: ${image.status}\n`,
      );
    });
}

/** A left-out image as the CLI reports it: the reason names the flag that would take it. */
function cliSkipped(skipped: SkippedImage): SkippedImage {
  const { wording, ...rest } = skipped;
  return wording === undefined
    ? skipped
    : { ...rest, reason: cliNotice({ message: rest.reason, wording }) };
}
