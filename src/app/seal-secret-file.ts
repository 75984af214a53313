import type { KeyObject } from 'node:crypto';
import { sealSecret, type SealedType } from '../core/ccco/sealed-secret.js';
import { parsePrivateKey, parsePublicKeyOrCertificate } from '../core/crypto/keys.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import { HpvsError } from '../core/errors.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { loadPrivateKey } from '../node/load-keys.js';
import { readInput } from '../node/read-input.js';
import { readSecret } from '../node/read-secret.js';

export interface SealSecretFileRequest {
  /** The file holding the secret value (`-` for stdin). */
  file: string;
  /** Seal the bytes as they are; by default one final line break is removed. */
  exact: boolean;
  type: SealedType;
  /** RSA public key (or its private key) whose private key is the contract's decryptionKey. */
  encryptionKeyFile: string;
  /** RSA private key whose public key is the contract's verificationKey. */
  signingKeyFile: string;
  random: RandomSource;
}

/** Seals one secret value for a ccco pod: `sealed.<JWS>`. */
export async function sealSecretFile(request: SealSecretFileRequest): Promise<string> {
  const secret = request.exact
    ? await readInput(request.file, 'secret', INPUT_LIMITS.sealedSecret)
    : await readSecret({ file: request.file, what: 'secret' });
  return sealSecret({
    secret,
    type: request.type,
    encryptionKey: await loadSealEncryptionKey(request.encryptionKeyFile),
    signingKey: await loadPrivateKey(request.signingKeyFile),
    random: request.random,
  });
}

/** The encryption key may be given as the public key or as the pair's private key. */
async function loadSealEncryptionKey(path: string): Promise<KeyObject> {
  const bytes = await readInput(path, 'encryption key', INPUT_LIMITS.pem);
  if (bytes.includes('PRIVATE KEY')) return parsePrivateKey(bytes, path);
  const material = parsePublicKeyOrCertificate(bytes, path);
  if (material.certificate !== undefined) {
    throw new HpvsError('KEY_INVALID', `${path}: give the RSA public key, not a certificate`);
  }
  return material.publicKey;
}
