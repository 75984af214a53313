import { input, worded } from '../wording.js';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import { readCertificateRequest } from '../pki/certificate-request.js';
import { normalizeSubject } from '../pki/distinguished-name.js';
import { issueCertificate } from '../pki/issue-certificate.js';
import { samePublicKey } from './signing-key.js';
import { addDays } from '../days.js';

export const DEFAULT_SIGNING_SUBJECT = '/CN=HPVS contract signing';

export interface ContractExpiryOptions {
  /** Days from `now` the contract stays valid; a positive integer. */
  days: number;
  caCertificatePem: string;
  caPrivateKey: KeyObject;
  /** The signing key the certificate is for. */
  signingPublicKey: KeyObject;
  /** A CSR for the signing key (its subject is used), or a subject; else a default subject. */
  csrPem?: string | undefined;
  subject?: string | undefined;
  now: Date;
  /** Names the CA certificate in messages. */
  caSource?: string | undefined;
}

export function assertExpiryDays(days: number): void {
  if (!Number.isInteger(days) || days <= 0) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`${input('expiry-days')} must be a whole number of days greater than 0, got ${days}`,
    );
  }
}

/**
 * Issues the contract signing certificate from the deployer's CA: valid from `now` for
 * `days` days, for the signing key. Its notAfter is the contract's expiry date, which the
 * runtime checks at boot.
 */
export async function issueContractSigningCertificate(
  options: ContractExpiryOptions,
): Promise<string> {
  assertExpiryDays(options.days);
  const caSource = options.caSource ?? 'CA certificate';
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(options.caCertificatePem);
  } catch (error) {
    throw new HpvsError('CERT_INVALID', `${caSource}: the CA certificate cannot be parsed`, {
      cause: error,
    });
  }
  if (!ca.ca) {
    throw new HpvsError(
      'CERT_INVALID',
      `${caSource}: not a CA certificate (basicConstraints CA:TRUE is missing)`,
    );
  }
  if (!ca.checkPrivateKey(options.caPrivateKey)) {
    throw new HpvsError(
      'KEY_INVALID',
      `${caSource}: the CA private key does not match the CA certificate`,
    );
  }
  const notAfter = addDays(options.now, options.days);
  const caNotAfter = new Date(ca.validTo);
  if (options.now > caNotAfter || options.now < new Date(ca.validFrom)) {
    throw new HpvsError(
      'CERT_EXPIRED',
      `${caSource}: the CA certificate is not valid now (valid ${new Date(ca.validFrom).toISOString()} to ${caNotAfter.toISOString()})`,
    );
  }
  if (notAfter > caNotAfter) {
    throw new HpvsError(
      'CERT_EXPIRED',
      worded`${caSource}: the CA certificate expires on ${caNotAfter.toISOString()}, before the contract would (${notAfter.toISOString()}); ${input('fewer-days-or-newer-ca')}`,
    );
  }
  let subject = normalizeSubject(options.subject ?? DEFAULT_SIGNING_SUBJECT);
  if (options.csrPem !== undefined) {
    const request = await readCertificateRequest(options.csrPem, 'CSR');
    if (!samePublicKey(request.publicKey, options.signingPublicKey)) {
      throw new HpvsError(
        'KEY_INVALID',
        worded`CSR: the request is for a different key than ${input('signing-key')}; create the CSR from the signing key`,
      );
    }
    subject = request.subject;
  }
  return issueCertificate({
    subject,
    publicKey: options.signingPublicKey,
    role: 'contract-signing',
    notBefore: options.now,
    notAfter,
    issuer: { certificatePem: options.caCertificatePem, privateKey: options.caPrivateKey },
  });
}
