import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';
import { digestUnlessSecret } from '../../core/crypto/result-digests.js';

export function registerCertsSyslog(certs: Command): void {
  certs
    .command('syslog')
    .description(
      'Create a private CA with rsyslog server and client certificates for TLS log forwarding (x509/certvalid): ca.crt, ca-key.pem, server.crt, server-key.pem, client.crt, client-key.pem; keys are PKCS#8, mode 0600.',
    )
    .option('--hostname <name>', 'DNS name of the syslog server (goes into its subjectAltName)')
    .option('--ip <addr>', 'IP address of the syslog server (goes into its subjectAltName)')
    .requiredOption('--out-dir <dir>', 'folder for the files (created mode 0700 if missing)')
    .option('--days <days>', 'validity of the server and client certificates in days', '365')
    .addOption(
      new Option('--bits <bits>', 'RSA modulus size of the keys')
        .choices(['2048', '3072', '4096'] as const)
        .default('4096' as const),
    )
    .option('--force', 'replace existing files')
    .option(
      '--json',
      'print {files: [{out, secret, sha256_out}]} as JSON (null for the private keys)',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs syslog --hostname logs.example.com --out-dir syslog-tls',
        'hpvs-ctl certs syslog --ip 192.0.2.10 --out-dir syslog-tls --days 90',
      ),
    )
    .action(async (options) => {
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) {
        throw new HpvsError(
          'USAGE',
          `invalid --days "${options.days}": expected a whole number of days from 1 to 3650`,
        );
      }
      const [{ assertSyslogHost }, { writeSyslogCertificates }] = await Promise.all([
        import('../../core/pki/syslog-certificates.js'),
        import('../../app/write-syslog-certificates.js'),
      ]);
      const host = { hostname: options.hostname, ip: options.ip };
      // checked before the slow key generation, so a typo fails at once
      assertSyslogHost(host);
      const written = await writeSyslogCertificates({
        ...host,
        outDir: options.outDir,
        days,
        bits: Number(options.bits),
        force: options.force === true,
        now: new Date(),
      });
      if (!options.json) {
        await writeStdout(written.map((file) => `${terminalSafe(file.path)}\n`).join(''));
        return;
      }
      // a private key's digest is withheld like every secret's (result-digests.ts)
      const document = {
        files: written.map((file) => ({
          out: file.path,
          secret: file.secret,
          sha256_out: digestUnlessSecret(file.data, file.secret),
        })),
      };
      await writeStdout(`${jsonForTerminal(document)}\n`);
    });
}
