import { createPublicKey, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import { publicCryptoKey, signingCryptoKey } from './web-crypto-keys.js';
import { x509, x509Crypto } from './x509.js';

/** A PKCS#10 certificate signing request for an RSA key pair. */
export async function createCertificateRequest(params: {
  subject: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}): Promise<string> {
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: params.subject,
      keys: {
        privateKey: await signingCryptoKey(params.privateKey, 'SHA-256'),
        publicKey: await publicCryptoKey(params.publicKey, 'SHA-256'),
      },
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    },
    x509Crypto,
  );
  return request.toString('pem') + '\n';
}

export interface CertificateRequestContent {
  subject: string;
  publicKey: KeyObject;
}

/** Parses a CSR and checks its self-signature, so a CA never certifies a key nobody holds. */
export async function readCertificateRequest(
  pem: string,
  source: string,
): Promise<CertificateRequestContent> {
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(pem);
  } catch (error) {
    throw new HpvsError('PEM_INVALID', `${source}: not a PEM certificate signing request`, {
      cause: error,
    });
  }
  if (!(await request.verify(x509Crypto))) {
    throw new HpvsError(
      'SIGNATURE_INVALID',
      `${source}: the request's signature does not match its public key`,
    );
  }
  const publicKey = createPublicKey({
    key: Buffer.from(request.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  return { subject: request.subject, publicKey };
}
