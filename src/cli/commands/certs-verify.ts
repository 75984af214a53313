import type { Command } from '@commander-js/extra-typings';
import { warn } from '../../node/console.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { writeStdout } from '../../node/write-output.js';
import { cliCheck } from './input-phrases.js';
import { formatChecks, verdictLine } from './check-report.js';
import { examples } from './help-examples.js';
import { addTrustOptions, readTrustOptions, sourced } from './trust-options.js';
import { wholeDaysBetween } from '../../core/days.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';

export function registerCertsVerify(certs: Command): void {
  const verify = certs
    .command('verify')
    .description(
      "Check a certificate (e.g. the runtime's encryption certificate, before encrypting for it): validity, RSA key size and key usage, and with --root its chain, every signature and the CRL of each CA (SKIP without --root). Shows subject, serial, validity, days left and IBM's expiry message (a warning under 180 days). Exit 0 only when nothing fails.",
    )
    .argument('<cert>', 'the certificate to check (PEM or DER)');
  const { command, crlFiles } = addTrustOptions(
    verify,
    'a trust anchor (repeatable): a self-signed root, or any CA with --partial-chain',
  );
  command
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl certs verify ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
        'hpvs-ctl certs verify ibm-hyper-protect-container-runtime-encrypt.crt --chain ibm-intermediate.crt --chain digicert-ca1.crt --root digicert-root-g4.crt --crl ibm-intermediate.crl --crl digicert-ca1.crl',
        'hpvs-ctl certs verify encrypt.crt --root ibm-intermediate.crt --partial-chain --crl ibm-intermediate.crl',
        'hpvs-ctl certs verify encrypt.crt --chain int.crt --root root.crt --no-crl --at 2027-01-01 --json',
      ),
    )
    .action(async (cert, options) => {
      const trust = await readTrustOptions(options, crlFiles);
      const { at } = trust;
      const [{ checkCertificate }, { encryptionKeyChecks }, { encryptionCertificateExpiry }] =
        await Promise.all([
          import('../../core/pki/check-certificate.js'),
          import('../../core/pki/encryption-key-checks.js'),
          import('../../core/pki/expiry-notice.js'),
        ]);
      const certificate = await sourced(cert, 'certificate', INPUT_LIMITS.pem);
      const checked = await checkCertificate({
        certificate,
        role: 'certificate',
        skipChainWithoutRoots: true,
        ...trust,
      });
      const { leaf, chain } = checked;
      const keyChecks = encryptionKeyChecks(certificate.bytes, cert);
      const checks = [...chain.checks, ...keyChecks.checks];
      const ok = checks.every((check) => check.status !== 'fail');
      const daysLeft = wholeDaysBetween(at, leaf.notAfter);
      const expiry = encryptionCertificateExpiry(leaf.notAfter, at);
      const warnings = [
        ...(expiry.status === 'expiring'
          ? [
              `${cert}: ${expiry.message.replace(/^Warning: /, '')}: get the new certificate before encrypting`,
            ]
          : []),
        ...keyChecks.warnings,
      ];
      if (options.json) {
        const result = {
          ok,
          subject: leaf.subject,
          issuer: leaf.issuer,
          serial: leaf.serialHex,
          notBefore: leaf.notBefore.toISOString(),
          notAfter: leaf.notAfter.toISOString(),
          daysLeft,
          expiry: { status: expiry.status, message: expiry.message },
          warnings,
          checks: checks.map(cliCheck),
        };
        await writeStdout(`${jsonForTerminal(result)}\n`);
      } else {
        for (const message of warnings) warn(message);
        const header = [
          `certificate: ${leaf.subject}`,
          `  issuer: ${leaf.issuer}`,
          `  serial: ${leaf.serialHex} (${leaf.serial})`,
          `  valid: ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()} (${daysLeft} days left at ${at.toISOString()})`,
          `  status: ${expiry.message}`,
        ].map(terminalSafe);
        await writeStdout(`${header.join('\n')}\n${formatChecks(checks)}${verdictLine(checks)}`);
      }
      process.exitCode = ok ? 0 : 1;
    });
}
