import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { note, warn } from '../../node/console.js';
import { readTextInput } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import { cliNotice } from './input-phrases.js';
import { notePlatformAlias, platformOption } from './platform-options.js';
import { resultDigests } from '../../core/crypto/result-digests.js';

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
    .option(
      '--json',
      'with --out: print {out, from, platform, version, serial, notBefore, notAfter, status, daysLeft, fingerprint, sha256_in, sha256_out} as JSON',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs get --from certs.json --version 1.0.29 --out encrypt.crt',
        'hpvs-ctl certs get --from certs.json --version ">=1.0.28" --out encrypt.crt',
        'hpvs-ctl certs get --platform ccrt --out ccrt-encrypt.crt --json',
      ),
    )
    .action(async (options) => {
      if ((options.from === undefined) === (options.platform === undefined)) {
        throw new HpvsError('USAGE', 'give exactly one of --from FILE and --platform NAME');
      }
      if (options.from !== undefined && options.version === undefined) {
        throw new HpvsError(
          'USAGE',
          '--from needs --version (a version or range, * for the newest)',
        );
      }
      if (options.json && (options.out === undefined || options.out === '-')) {
        throw new HpvsError(
          'USAGE',
          '--json describes the certificate it wrote: give --out FILE for the certificate',
        );
      }
      notePlatformAlias(options.platform);
      const download =
        options.from === undefined
          ? undefined
          : {
              text: await readTextInput(
                options.from,
                'certificate download',
                INPUT_LIMITS.certificateDownload,
              ),
              source: options.from === '-' ? 'stdin' : options.from,
            };
      const { getCertificate } = await import('../../app/certificates/get-certificate.js');
      const chosen = await getCertificate({
        platform: options.platform?.platform.name,
        download,
        version: options.version,
        now: new Date(),
      });
      note(`hpvs-ctl: ${chosen.description}`);
      for (const notice of chosen.warnings) warn(cliNotice(notice));
      await writeResult(options.out, chosen.pem, { secret: false });
      if (options.json) {
        const { pem, description, warnings, ...facts } = chosen;
        const document = {
          out: options.out,
          ...facts,
          // the catalogue is part of hpvs-ctl: no input was read
          ...resultDigests(download?.text ?? '', pem),
          ...(download === undefined ? { sha256_in: null } : {}),
        };
        await writeStdout(`${jsonForTerminal(document)}\n`);
      }
    });
}
