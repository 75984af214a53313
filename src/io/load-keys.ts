import type { KeyObject } from 'node:crypto';
import {
  assertCertificateCurrent,
  parsePrivateKey,
  parsePublicKeyOrCertificate,
  type PublicKeyMaterial,
} from '../crypto/keys.js';
import { assertEncryptionKey } from '../crypto/encryption-key-rules.js';
import { warn } from './console.js';
import { readInput } from './read-input.js';
import { readSecret } from './read-secret.js';

export async function loadPublicKeyOrCertificate(path: string): Promise<PublicKeyMaterial> {
  return parsePublicKeyOrCertificate(await readInput(path, 'certificate or public key'), path);
}

/**
 * The runtime's encryption certificate (or a bare RSA public key) to encrypt for, checked by
 * the encryption key rules (too small or not for key encipherment: refused; below IBM's size:
 * a warning on stderr).
 */
export async function loadEncryptionMaterial(path: string): Promise<PublicKeyMaterial> {
  const material = await loadPublicKeyOrCertificate(path);
  for (const warning of assertEncryptionKey(material, path)) warn(warning);
  return material;
}

/**
 * The public key to encrypt a section for (see `loadEncryptionMaterial`). A certificate outside
 * its validity window is refused unless `allowExpired`.
 */
export async function loadEncryptionKey(
  path: string,
  options: { allowExpired?: boolean | undefined } = {},
): Promise<KeyObject> {
  const material = await loadEncryptionMaterial(path);
  if (material.certificate && !options.allowExpired) {
    assertCertificateCurrent(material.certificate, new Date(), path);
  }
  return material.publicKey;
}

export async function loadPrivateKey(path: string, passphraseFile?: string): Promise<KeyObject> {
  const pem = await readInput(path, 'private key');
  const passphrase =
    passphraseFile === undefined
      ? undefined
      : await readSecret({ file: passphraseFile, what: 'passphrase' });
  return parsePrivateKey(pem, path, passphrase);
}
