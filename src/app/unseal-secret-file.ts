import { unsealSecret, type SealedType } from '../core/ccco/sealed-secret.js';
import { parsePublicKeyOrCertificate } from '../core/crypto/keys.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { loadPrivateKey } from '../node/load-keys.js';
import { readInput, readTextInput } from '../node/read-input.js';

export interface UnsealSecretFileRequest {
  /** The file holding the sealed value (`-` for stdin). */
  file: string;
  /** The contract's secret.decryptionKey (RSA private key). */
  decryptionKeyFile: string;
  /** The contract's secret.verificationKey (RSA public key). */
  verificationKeyFile: string;
  /** Refuse a value sealed for the other section. */
  type?: SealedType | undefined;
}

/** Verifies and opens a sealed value as the confidential VM does. */
export async function unsealSecretFile(request: UnsealSecretFileRequest): Promise<Buffer> {
  const sealed = await readTextInput(request.file, 'sealed secret', INPUT_LIMITS.sealedSecret);
  return unsealSecret(sealed, {
    decryptionKey: await loadPrivateKey(request.decryptionKeyFile),
    verificationKey: parsePublicKeyOrCertificate(
      await readInput(request.verificationKeyFile, 'verification key', INPUT_LIMITS.pem),
      request.verificationKeyFile,
    ).publicKey,
    ...(request.type === undefined ? {} : { type: request.type }),
  });
}
