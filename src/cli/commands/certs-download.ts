import type { Command } from '@commander-js/extra-typings';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { note } from '../../node/console.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readTextInput } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { sha256Hex } from '../../core/crypto/result-digests.js';
import { examples } from './help-examples.js';

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 600) {
    throw new InvalidArgumentError('expected a number of seconds, more than 0 and at most 600');
  }
  return seconds;
}

export function registerCertsDownload(certs: Command): void {
  certs
    .command('download')
    .description(
      "Fetch HPVS-for-VPC encryption certificates from IBM's published location over HTTPS and write them as IBM's download JSON (version -> cert, status, expiry_days, expiry_date), which certs get reads. Every certificate is fetched and parsed before anything is written.",
    )
    .requiredOption('--version <list>', 'HPVS runtime versions, comma-separated: 1.0.28,1.0.29')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .option(
      '--base-url <url>',
      "where the certificates are published (https only; default IBM's bucket)",
    )
    .option(
      '--ca-file <file>',
      "a CA certificate (PEM) to trust for that server besides the system's, e.g. a mirror's",
    )
    .option(
      '--json',
      'with --out: print {out, certificates: [{version, url, serial, status, expiryDate, sha256}], sha256_out} as JSON',
    )
    .option(
      '--timeout <seconds>',
      'give up on a certificate after this long (default 30)',
      parseSeconds,
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs download --version 1.0.28,1.0.29 --out certs.json',
        'hpvs-ctl certs download --version 1.0.29 | hpvs-ctl certs get --from - --version 1.0.29 --out encrypt.crt',
      ),
    )
    .action(async (options) => {
      if (options.json && (options.out === undefined || options.out === '-')) {
        throw new HpvsError(
          'USAGE',
          '--json describes the download it wrote: give --out FILE for the download JSON',
        );
      }
      const [{ IBM_CERTIFICATE_BASE_URL, httpsBaseUrl }, { downloadHpvsCertificates }] =
        await Promise.all([
          import('../../core/catalogue/hpvs-certificate-url.js'),
          import('../../app/download-hpvs-certificates.js'),
        ]);
      const baseUrl = httpsBaseUrl(options.baseUrl ?? IBM_CERTIFICATE_BASE_URL);
      if (baseUrl === undefined) {
        throw new HpvsError(
          'USAGE',
          '--base-url must be an https:// URL without ?query or #fragment',
        );
      }
      const extraCa =
        options.caFile === undefined
          ? []
          : [await readTextInput(options.caFile, 'CA certificate', INPUT_LIMITS.pem)];
      const downloaded = await downloadHpvsCertificates({
        versions: options.version.split(',').map((version) => version.trim()),
        baseUrl,
        extraCa,
        timeoutMs: (options.timeout ?? 30) * 1000,
        now: new Date(),
      });
      const summaries = downloaded.summaries.map((summary) => `hpvs-ctl: ${summary}`);
      // said once everything arrived, so that a failure stays one line
      for (const summary of summaries) note(summary);
      await writeResult(options.out, downloaded.document, { secret: false });
      if (options.json) {
        const result = {
          out: options.out,
          // each sha256 is of the certificate as served, as IBM's sha256_in would be
          certificates: downloaded.certificates,
          sha256_out: sha256Hex(downloaded.document),
        };
        await writeStdout(`${jsonForTerminal(result)}\n`);
      }
    });
}
