import { webcrypto, type KeyObject } from 'node:crypto';

/** The hash of a PKCS#1 v1.5 signature; IBM's runtime certificates use SHA-512. */
export type SignatureHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

type WebCryptoKey = Awaited<ReturnType<typeof webcrypto.subtle.importKey>>;

/** Converts node:crypto keys, which the rest of hpvs-ctl uses, into WebCrypto keys for x509. */
export function signingCryptoKey(
  privateKey: KeyObject,
  hash: SignatureHash,
): Promise<WebCryptoKey> {
  return webcrypto.subtle.importKey(
    'pkcs8',
    privateKey.export({ format: 'der', type: 'pkcs8' }),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['sign'],
  );
}

export function publicCryptoKey(publicKey: KeyObject, hash: SignatureHash): Promise<WebCryptoKey> {
  return webcrypto.subtle.importKey(
    'spki',
    publicKey.export({ format: 'der', type: 'spki' }),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    true,
    ['verify'],
  );
}
