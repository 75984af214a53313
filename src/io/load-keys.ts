import type { KeyObject } from 'node:crypto';
import {
  assertCertificateCurrent,
  parsePrivateKey,
  parsePublicKeyOrCertificate,
  type PublicKeyMaterial,
} from '../crypto/keys.js';
import { INPUT_LIMITS } from './input-limits.js';
import { readInput } from './read-input.js';
import { readSecret } from './read-secret.js';

export async function loadPublicKeyOrCertificate(path: string): Promise<PublicKeyMaterial> {
  return parsePublicKeyOrCertificate(
    await readInput(path, 'certificate or public key', INPUT_LIMITS.pem),
    path,
  );
}

/**
 * The public key to encrypt a section for: the runtime's encryption certificate (or a bare RSA
 * public key). A certificate outside its validity window is refused unless `allowExpired`.
 */
export async function loadEncryptionKey(
  path: string,
  options: { allowExpired?: boolean | undefined } = {},
): Promise<KeyObject> {
  const material = await loadPublicKeyOrCertificate(path);
  if (material.certificate && !options.allowExpired) {
    assertCertificateCurrent(material.certificate, new Date(), path);
  }
  return material.publicKey;
}

export async function loadPrivateKey(path: string, passphraseFile?: string): Promise<KeyObject> {
  const pem = await readInput(path, 'private key', INPUT_LIMITS.pem);
  const passphrase =
    passphraseFile === undefined
      ? undefined
      : await readSecret({ file: passphraseFile, what: 'passphrase' });
  return parsePrivateKey(pem, path, passphrase);
}
