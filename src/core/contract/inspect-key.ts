import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';
import { at, report, type Context } from './inspection-context.js';
import type { KeyReport } from './inspection.js';
import type { ContractSection, YamlPath } from './user-data.js';

/**
 * What inspect shows of a public key or certificate (a signingKey, an attestationPublicKey):
 * its kind, size and SHA-256 fingerprint, and for a certificate its subject and expiry.
 */
export function describeKey(
  text: string,
  section: ContractSection,
  context: Context,
  path: YamlPath = [],
): KeyReport | undefined {
  let material;
  try {
    material = parsePublicKeyOrCertificate(text, at(section, path).slice(0, -1));
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    report(context, 'error', 'key-invalid', error.message);
    return undefined;
  }
  const keyReport: KeyReport = {
    kind: material.certificate ? 'certificate' : 'public-key',
    fingerprint: fingerprint(material.publicKey),
  };
  const bits = material.publicKey.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined) keyReport.rsaBits = bits;
  if (material.certificate)
    addCertificateDetails(keyReport, material.certificate, section, path, context);
  return keyReport;
}

function addCertificateDetails(
  keyReport: KeyReport,
  certificate: X509Certificate,
  section: ContractSection,
  path: YamlPath,
  context: Context,
): void {
  const notAfter = new Date(certificate.validTo);
  keyReport.subject = certificate.subject.replace(/\n/g, ', ');
  keyReport.notAfter = notAfter.toISOString();
  if (notAfter < context.now) {
    report(
      context,
      'error',
      'contract-expired',
      `${at(section, path)} the signing certificate expired on ${keyReport.notAfter}, so the contract has expired and the runtime refuses it (HPL12007E)`,
    );
  }
}

function fingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}
