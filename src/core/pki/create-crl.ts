import type { KeyObject } from 'node:crypto';
import { signingCryptoKey, type SignatureHash } from './web-crypto-keys.js';
import { x509, x509Crypto } from './x509.js';

export interface RevokedEntry {
  /** Hexadecimal serial number of the revoked certificate. */
  serialNumber: string;
  revokedAt: Date;
}

export interface CreateCrlParams {
  issuerCertificatePem: string;
  issuerPrivateKey: KeyObject;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked?: RevokedEntry[];
  hash?: SignatureHash;
}

/** A CRL signed by the issuer, naming it by its subject and key identifier. */
export async function createCrl(params: CreateCrlParams): Promise<string> {
  const hash = params.hash ?? 'SHA-256';
  const issuer = new x509.X509Certificate(params.issuerCertificatePem);
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: issuer.subject,
      thisUpdate: params.thisUpdate,
      nextUpdate: params.nextUpdate,
      entries: (params.revoked ?? []).map((entry) => ({
        serialNumber: entry.serialNumber,
        revocationDate: entry.revokedAt,
        reason: x509.X509CrlReason.keyCompromise,
      })),
      extensions: [
        await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, x509Crypto),
      ],
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash },
      signingKey: await signingCryptoKey(params.issuerPrivateKey, hash),
    },
    x509Crypto,
  );
  // openssl and most tools only read the RFC 7468 label "X509 CRL"; the library writes "CRL".
  return crl.toString('pem').replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----') + '\n';
}
