import type { Command } from '@commander-js/extra-typings';
import { warn } from '../io/console.js';
import { INPUT_LIMITS } from '../io/input-limits.js';
import { writeStdout } from '../io/write-output.js';
import { formatChecks, verdictLine } from './check-report.js';
import { examples } from './help-examples.js';
import { addTrustOptions, readTrustOptions, sourced } from './trust-options.js';
import { wholeDaysBetween } from '../days.js';

const WARN_DAYS = 30;

export function registerCertsVerify(certs: Command): void {
  const verify = certs
    .command('verify')
    .description(
      "Check a certificate (e.g. the runtime's encryption certificate, before encrypting for it): chain to a --root, every signature and validity window, and the CRL of each CA; shows subject, serial, validity and days left, and warns under 30 days. Exit 0 only when nothing fails.",
    )
    .argument('<cert>', 'the certificate to check (PEM or DER)');
  const { command, crlFiles } = addTrustOptions(verify, 'a trust anchor (repeatable)');
  command
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs verify ibm-hyper-protect-container-runtime-encrypt.crt --chain ibm-intermediate.crt --chain digicert-ca1.crt --root digicert-root-g4.crt --crl ibm-intermediate.crl --crl digicert-ca1.crl',
        'hpvs-ctl certs verify encrypt.crt --chain int.crt --root root.crt --no-crl --at 2027-01-01 --json',
      ),
    )
    .action(async (cert, options) => {
      const trust = await readTrustOptions(options, crlFiles);
      const { at } = trust;
      const { checkCertificate } = await import('../pki/check-certificate.js');
      const checked = await checkCertificate({
        certificate: await sourced(cert, 'certificate', INPUT_LIMITS.pem),
        role: 'certificate',
        ...trust,
      });
      const { leaf, chain } = checked;
      const daysLeft = wholeDaysBetween(at, leaf.notAfter);
      const warnings =
        daysLeft >= 0 && daysLeft < WARN_DAYS
          ? [
              `${cert} expires in ${daysLeft} days, on ${leaf.notAfter.toISOString()}: renew it or get the new one before encrypting`,
            ]
          : [];
      if (options.json) {
        const result = {
          ok: chain.ok,
          subject: leaf.subject,
          issuer: leaf.issuer,
          serial: leaf.serialHex,
          notBefore: leaf.notBefore.toISOString(),
          notAfter: leaf.notAfter.toISOString(),
          daysLeft,
          warnings,
          checks: chain.checks,
        };
        await writeStdout(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        for (const message of warnings) warn(message);
        const header = [
          `certificate: ${leaf.subject}`,
          `  issuer: ${leaf.issuer}`,
          `  serial: ${leaf.serialHex} (${leaf.serial})`,
          `  valid: ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()} (${daysLeft} days left at ${at.toISOString()})`,
        ];
        await writeStdout(
          `${header.join('\n')}\n${formatChecks(chain.checks)}${verdictLine(chain.checks)}`,
        );
      }
      process.exitCode = chain.ok ? 0 : 1;
    });
}
