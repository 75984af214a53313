import type { KeyObject } from 'node:crypto';
import {
  parsePrivateKey,
  parsePublicKeyOrCertificate,
  type PublicKeyMaterial,
} from '../crypto/keys.js';
import { readInput } from './read-input.js';
import { readSecret } from './read-secret.js';

export async function loadPublicKeyOrCertificate(path: string): Promise<PublicKeyMaterial> {
  return parsePublicKeyOrCertificate(await readInput(path, 'certificate or public key'), path);
}

export async function loadPrivateKey(path: string, passphraseFile?: string): Promise<KeyObject> {
  const pem = await readInput(path, 'private key');
  const passphrase =
    passphraseFile === undefined
      ? undefined
      : await readSecret({ file: passphraseFile, what: 'passphrase' });
  return parsePrivateKey(pem, path, passphrase);
}
