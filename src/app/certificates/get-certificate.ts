import { input, worded, wordedText, type Notice } from '../../core/wording.js';
import type { PlatformName } from '../../core/platforms/platforms.js';
import type { CertificateStatus } from '../../core/catalogue/certificate-status.js';

export interface GetCertificateRequest {
  /** The bundled catalogue of this platform, or ... */
  platform?: PlatformName | undefined;
  /** ... a download JSON (IBM's download-certificate / Terraform hpcr_encryption_certs). */
  download?: { text: string; source: string } | undefined;
  /** A version or semver range; required with a download. */
  version?: string | undefined;
  now: Date;
}

export interface ChosenCertificate {
  /** The PEM to write, ending with a newline. */
  pem: string;
  from: 'catalogue' | 'download';
  platform: PlatformName | null;
  version: string;
  /** Upper-case hex, as openssl prints it. */
  serial: string;
  notBefore: string;
  notAfter: string;
  status: CertificateStatus;
  daysLeft: number;
  /** Lower-case hex SHA-256 of the DER certificate (its fingerprint). */
  fingerprint: string;
  /** One line saying which certificate it is. */
  description: string;
  warnings: Notice[];
}

/**
 * `certs get`: one encryption certificate, the highest version matching the request, from the
 * catalogue or a download. Expired and not-yet-valid ones are returned with a warning: getting
 * a certificate is not encrypting with it (encrypt refuses them without --allow-expired).
 */
export async function getCertificate(request: GetCertificateRequest): Promise<ChosenCertificate> {
  const { now } = request;
  if (request.platform !== undefined) {
    const { chooseCatalogueCertificate, describeEntry } =
      await import('../../core/catalogue/certificate-catalogue.js');
    const choice = chooseCatalogueCertificate({
      platform: request.platform,
      version: request.version,
      allowExpired: true,
      now,
    });
    const { entry } = choice;
    const description = describeEntry(entry);
    return {
      pem: entry.pem.endsWith('\n') ? entry.pem : `${entry.pem}\n`,
      from: 'catalogue',
      platform: entry.platform,
      version: entry.version,
      serial: entry.serial,
      notBefore: entry.notBefore,
      notAfter: entry.notAfter,
      status: choice.status,
      daysLeft: choice.daysLeft,
      fingerprint: entry.sha256,
      description: `${description} (serial ${entry.serial}, ${choice.status}, valid until ${entry.notAfter}, ${choice.daysLeft} days left)`,
      warnings: [
        ...(choice.status === 'valid'
          ? []
          : [
              wordedText(
                worded`${description} is ${choice.status}: ${input('refused-unless-expired-allowed')}`,
              ),
            ]),
        ...choice.warnings,
      ],
    };
  }
  const download = request.download!;
  const [{ chooseFromDownload }, { expiryWarning, statusAt }] = await Promise.all([
    import('../../core/catalogue/certificate-download.js'),
    import('../../core/catalogue/certificate-status.js'),
  ]);
  const choice = chooseFromDownload(download.text, request.version!, download.source);
  const window = {
    notBefore: new Date(choice.certificate.validFrom),
    notAfter: new Date(choice.certificate.validTo),
  };
  const at = statusAt(window, now);
  const what = `the certificate of version ${choice.version}`;
  const soon = expiryWarning(what, window, at);
  return {
    pem: choice.pem.endsWith('\n') ? choice.pem : `${choice.pem}\n`,
    from: 'download',
    platform: null,
    version: choice.version,
    serial: choice.certificate.serialNumber,
    notBefore: window.notBefore.toISOString(),
    notAfter: window.notAfter.toISOString(),
    status: at.status,
    daysLeft: at.daysLeft,
    fingerprint: choice.certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    description: `version ${choice.version} (serial ${choice.certificate.serialNumber}, ${at.status}, valid until ${window.notAfter.toISOString()}, ${at.daysLeft} days left)`,
    warnings: [
      ...(choice.skipped.length > 0
        ? [`${download.source}: skipped keys that are not versions: ${choice.skipped.join(', ')}`]
        : []),
      ...(at.status === 'valid'
        ? []
        : [
            wordedText(worded`${what} is ${at.status}: ${input('refused-unless-expired-allowed')}`),
          ]),
      ...(soon === undefined ? [] : [soon]),
    ],
  };
}
