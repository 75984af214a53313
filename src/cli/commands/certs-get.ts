import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { note, warn } from '../../node/console.js';
import { readTextInput } from '../../node/read-input.js';
import { writeResult } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { notePlatformAlias, platformOption } from './platform-options.js';

/** A download of a few certificates is a few KiB; a larger file is not one. */

export function registerCertsGet(certs: Command): void {
  certs
    .command('get')
    .description(
      "Write one encryption certificate (PEM): the highest version matching --version from a download (IBM's download-certificate / Terraform hpcr_encryption_certs JSON, or certs download), or from the bundled catalogue with --platform.",
    )
    .option('--from <file>', 'the download JSON ({"1.0.29": {"cert": "...", ...}}), or - for stdin')
    .addOption(platformOption('take it from the bundled catalogue of this platform instead'))
    .option(
      '--version <range>',
      'a version or semver range: 1.0.29, >=1.0.28, ~1.0.28, 1.0.x, * (required with --from; with --platform the default is the newest valid)',
    )
    .option('--out <file>', 'write the certificate here instead of stdout')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs get --from certs.json --version 1.0.29 --out encrypt.crt',
        'hpvs-ctl certs get --from certs.json --version ">=1.0.28" --out encrypt.crt',
        'hpvs-ctl certs get --platform ccrt --out ccrt-encrypt.crt',
      ),
    )
    .action(async (options) => {
      if ((options.from === undefined) === (options.platform === undefined)) {
        throw new HpvsError('USAGE', 'give exactly one of --from FILE and --platform NAME');
      }
      const now = new Date();
      if (options.platform !== undefined) {
        notePlatformAlias(options.platform);
        const { chooseCatalogueCertificate, describeEntry } =
          await import('../../core/catalogue/certificate-catalogue.js');
        const choice = chooseCatalogueCertificate({
          platform: options.platform.platform.name,
          version: options.version,
          allowExpired: true,
          now,
        });
        const { entry } = choice;
        note(
          `hpvs-ctl: ${describeEntry(entry)} (serial ${entry.serial}, ${choice.status}, valid until ${entry.notAfter}, ${choice.daysLeft} days left)`,
        );
        if (choice.status !== 'valid') {
          warn(
            `${describeEntry(entry)} is ${choice.status}: encrypt refuses it without --allow-expired`,
          );
        }
        for (const message of choice.warnings) warn(message);
        await writeResult(options.out, entry.pem, { secret: false });
        return;
      }
      if (options.version === undefined) {
        throw new HpvsError(
          'USAGE',
          '--from needs --version (a version or range, * for the newest)',
        );
      }
      const text = await readTextInput(
        options.from!,
        'certificate download',
        INPUT_LIMITS.certificateDownload,
      );
      const source = options.from === '-' ? 'stdin' : options.from!;
      const { chooseFromDownload } = await import('../../core/catalogue/certificate-download.js');
      const { expiryWarning, statusAt } =
        await import('../../core/catalogue/certificate-status.js');
      const choice = chooseFromDownload(text, options.version, source);
      if (choice.skipped.length > 0) {
        warn(`${source}: skipped keys that are not versions: ${choice.skipped.join(', ')}`);
      }
      const window = {
        notBefore: new Date(choice.certificate.validFrom),
        notAfter: new Date(choice.certificate.validTo),
      };
      const at = statusAt(window, now);
      note(
        `hpvs-ctl: version ${choice.version} (serial ${choice.certificate.serialNumber}, ${at.status}, valid until ${window.notAfter.toISOString()}, ${at.daysLeft} days left)`,
      );
      if (at.status !== 'valid')
        warn(
          `the certificate of version ${choice.version} is ${at.status}: encrypt refuses it without --allow-expired`,
        );
      const soon = expiryWarning(`the certificate of version ${choice.version}`, window, at);
      if (soon !== undefined) warn(soon);
      await writeResult(options.out, choice.pem.endsWith('\n') ? choice.pem : `${choice.pem}\n`, {
        secret: false,
      });
    });
}
