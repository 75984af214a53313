import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA key pair (4096 bits like the runtime's keys unless told otherwise). */
export function generateRsaKeyPair(bits = 4096): Promise<RsaKeyPair> {
  return generate('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** PKCS#8 PEM, encrypted with AES-256-CBC when a passphrase is given. */
export function exportPrivateKeyPem(privateKey: KeyObject, passphrase?: Uint8Array): string {
  if (passphrase === undefined) {
    return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  }
  return privateKey.export({
    format: 'pem',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: Buffer.from(passphrase),
  }) as string;
}

export function exportPublicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }) as string;
}
