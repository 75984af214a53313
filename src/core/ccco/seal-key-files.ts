import { stringify } from 'yaml';
import type { KeyFile } from '../pki/key-pair-files.js';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateRsaKeyPair,
} from '../pki/rsa-key-pair.js';

/**
 * The two RSA-4096 pairs sealed secrets need, as files: seal with the encryption public key and
 * the signing private key; the runtime opens with the verification public key and the
 * decryption private key, which go into the contract's `confidential-containers.secret`
 * (also written as a ready snippet, mode 0600 since it holds the decryption key).
 */
export const SEAL_KEY_FILES = {
  encryption: 'seal-encryption-public.pem',
  decryption: 'seal-decryption-private.pem',
  signing: 'seal-signing-private.pem',
  verification: 'seal-verification-public.pem',
  snippet: 'confidential-containers-secret.yaml',
} as const;

export const SEAL_KEY_BITS = 4096;

export async function generateSealKeyFiles(): Promise<KeyFile[]> {
  const [encryption, signing] = await Promise.all([
    generateRsaKeyPair(SEAL_KEY_BITS),
    generateRsaKeyPair(SEAL_KEY_BITS),
  ]);
  const decryptionPem = exportPrivateKeyPem(encryption.privateKey);
  const verificationPem = exportPublicKeyPem(signing.publicKey);
  const snippet = stringify({
    secret: { verificationKey: verificationPem, decryptionKey: decryptionPem },
  });
  return [
    {
      name: SEAL_KEY_FILES.encryption,
      data: exportPublicKeyPem(encryption.publicKey),
      secret: false,
    },
    { name: SEAL_KEY_FILES.decryption, data: decryptionPem, secret: true },
    { name: SEAL_KEY_FILES.signing, data: exportPrivateKeyPem(signing.privateKey), secret: true },
    { name: SEAL_KEY_FILES.verification, data: verificationPem, secret: false },
    { name: SEAL_KEY_FILES.snippet, data: snippet, secret: true },
  ];
}
