import { randomBytes, type KeyObject } from 'node:crypto';
import { publicCryptoKey, signingCryptoKey, type SignatureHash } from './web-crypto-keys.js';
import { x509, x509Crypto } from './x509.js';

/**
 * What a certificate is for; each role fixes its extensions so that callers cannot forget
 * basicConstraints on a CA or the client-auth usage on a syslog client certificate.
 */
export type CertificateRole =
  | 'root-ca'
  | 'intermediate-ca'
  | 'encryption'
  | 'attestation'
  | 'contract-signing'
  | 'tls-server'
  | 'tls-client';

export interface CertificateIssuer {
  certificatePem: string;
  privateKey: KeyObject;
}

export interface IssueCertificateParams {
  /** RFC 4514 form, `CN=name, O=org` (see normalizeSubject for openssl's `/CN=` form). */
  subject: string;
  publicKey: KeyObject;
  role: CertificateRole;
  notBefore: Date;
  notAfter: Date;
  /** The signing CA; when absent the certificate is self-signed with `selfSigningKey`. */
  issuer?: CertificateIssuer;
  selfSigningKey?: KeyObject;
  /** Hexadecimal; a random positive 128-bit serial when absent. */
  serialNumber?: string;
  hash?: SignatureHash;
  subjectAltNames?: { dns?: string[]; ip?: string[] };
  crlDistributionPoints?: string[];
}

const { KeyUsageFlags: Usage } = x509;

function keyUsageFor(role: CertificateRole): number {
  switch (role) {
    case 'root-ca':
    case 'intermediate-ca':
      return Usage.keyCertSign | Usage.cRLSign;
    case 'encryption':
      return Usage.keyEncipherment | Usage.dataEncipherment;
    case 'attestation':
    case 'contract-signing':
    case 'tls-client':
      return Usage.digitalSignature;
    case 'tls-server':
      return Usage.digitalSignature | Usage.keyEncipherment;
  }
}

export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  // positive and minimal in DER: top bit clear, first byte never zero
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

export async function issueCertificate(params: IssueCertificateParams): Promise<string> {
  const hash = params.hash ?? 'SHA-256';
  const signingKey = params.issuer?.privateKey ?? params.selfSigningKey;
  if (signingKey === undefined) {
    throw new TypeError('issueCertificate needs an issuer or a self-signing key');
  }
  const issuerCertificate = params.issuer
    ? new x509.X509Certificate(params.issuer.certificatePem)
    : undefined;
  const subjectKey = await publicCryptoKey(params.publicKey, hash);
  const isCa = params.role === 'root-ca' || params.role === 'intermediate-ca';
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(
      isCa,
      params.role === 'intermediate-ca' ? 0 : undefined,
      true,
    ),
    new x509.KeyUsagesExtension(keyUsageFor(params.role), true),
    await x509.SubjectKeyIdentifierExtension.create(subjectKey, false, x509Crypto),
    await x509.AuthorityKeyIdentifierExtension.create(
      issuerCertificate ? issuerCertificate.publicKey : subjectKey,
      false,
      x509Crypto,
    ),
  ];
  if (params.role === 'tls-server') {
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  }
  if (params.role === 'tls-client') {
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]));
  }
  const names = [
    ...(params.subjectAltNames?.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(params.subjectAltNames?.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (params.crlDistributionPoints?.length) {
    extensions.push(new x509.CRLDistributionPointsExtension(params.crlDistributionPoints));
  }
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: params.serialNumber ?? randomSerialNumber(),
      subject: params.subject,
      issuer: issuerCertificate ? issuerCertificate.subject : params.subject,
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey: subjectKey,
      signingKey: await signingCryptoKey(signingKey, hash),
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash },
      extensions,
    },
    x509Crypto,
  );
  return certificate.toString('pem') + '\n';
}
