import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import { certificateWindowProblem, parsePrivateKey, pemText } from './keys.js';
import { pemBlocks } from './pem-text.js';

/**
 * The rules for TLS material given to hpvs-ctl (the syslog CA and client pair that `env` puts in
 * a contract and the emulator's logging service dials with, the CA `emulator log-server` trusts):
 * a CA file holds at least one certificate, every certificate is inside its validity window,
 * and a private key belongs to its certificate. One place, so every command refuses the same
 * material with the same message.
 */

export interface PemSource {
  pem: Uint8Array | string;
  /** The file or contract field the PEM came from, for messages. */
  source: string;
}

/** Every certificate of a PEM text; refuses a text with none (a key, a CSR, garbage). */
export function certificatesOf({ pem, source }: PemSource, what: string): X509Certificate[] {
  const text = pemText(pem, source);
  const blocks = pemBlocks(text)
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => block.text);
  if (blocks.length === 0) {
    throw new HpvsError(
      'CERT_INVALID',
      `${source}: holds no certificate; the ${what} must be a PEM "-----BEGIN CERTIFICATE-----" block`,
    );
  }
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new HpvsError('CERT_INVALID', `${source}: the ${what} cannot be parsed`, {
        cause: error,
      });
    }
  });
}

/** Refuses a certificate that is expired or not yet valid at `now`. */
export function assertCurrent(certificates: readonly X509Certificate[], now: Date, source: string) {
  for (const certificate of certificates) {
    const problem = certificateWindowProblem(certificate, now, source);
    if (problem !== undefined) throw problem;
  }
}

/** Refuses a private key that is not the key of the certificate (TLS would fail later). */
export function assertKeyMatchesCertificate(
  key: KeyObject,
  certificate: X509Certificate,
  sources: { key: string; certificate: string },
): void {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCertificate = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(fromCertificate)) {
    throw new HpvsError(
      'KEY_MISMATCH',
      `${sources.key}: this private key does not belong to the certificate ${sources.certificate}; give the key the certificate was issued for`,
    );
  }
}

/**
 * The syslog TLS material of a contract (`env.logging.syslog.server`, `.cert`, `.key`): a CA
 * that holds certificates, a client certificate and key that match, all current at `now`.
 */
export function checkSyslogMaterial(
  material: { ca: PemSource; cert?: PemSource | undefined; key?: PemSource | undefined },
  now: Date,
): void {
  assertCurrent(certificatesOf(material.ca, 'syslog CA certificate'), now, material.ca.source);
  if (material.cert === undefined || material.key === undefined) return;
  const [client] = certificatesOf(material.cert, 'syslog client certificate');
  assertCurrent([client!], now, material.cert.source);
  const key = parsePrivateKey(material.key.pem, material.key.source);
  assertKeyMatchesCertificate(key, client!, {
    key: material.key.source,
    certificate: material.cert.source,
  });
}
