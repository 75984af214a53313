import { input, worded, type InputPhrase } from '../wording.js';
import { HpvsError } from '../errors.js';
import { exportPrivateKeyPem, exportPublicKeyPem, generateRsaKeyPair } from './rsa-key-pair.js';

/** A file to write: private keys are secret (written 0600). */
export interface KeyFile {
  name: string;
  data: string;
  secret: boolean;
}

export interface KeyPairFileParams {
  /** RSA modulus (default 4096, like the runtime's own keys). */
  bits?: number | undefined;
  /** Encrypts the private key (PKCS#8, AES-256-CBC) when given. */
  passphrase?: Uint8Array | undefined;
  /** File name prefix: `<name>-private.pem`; without it `private.pem`, as IBM's recipes name them. */
  name?: string | undefined;
}

export const KEY_BITS = [2048, 3072, 4096] as const;

/** A name usable as a file name in any folder: no separators, no leading dot or dash. */
export const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks that a user-given name can be used as a file name inside the output folder. */
export function assertSafeFileName(name: string, what: string | InputPhrase): void {
  if (!SAFE_FILE_NAME.test(name)) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`invalid ${what} "${name}": use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

/**
 * A fresh RSA key pair for contract signing or attestation, as the two PEM files a deployer
 * or auditor keeps: the PKCS#8 private key (mode 0600) and the SPKI public key.
 */
export async function generateKeyPairFiles(params: KeyPairFileParams = {}): Promise<KeyFile[]> {
  const [privateName, publicName] = keyPairFileNames(params.name);
  const { privateKey, publicKey } = await generateRsaKeyPair(params.bits ?? 4096);
  return [
    { name: privateName, data: exportPrivateKeyPem(privateKey, params.passphrase), secret: true },
    { name: publicName, data: exportPublicKeyPem(publicKey), secret: false },
  ];
}

/** The private and public key file names for a name prefix. */
export function keyPairFileNames(name?: string): [privateName: string, publicName: string] {
  if (name !== undefined) assertSafeFileName(name, input('key-file-name'));
  const prefix = name === undefined ? '' : `${name}-`;
  return [`${prefix}private.pem`, `${prefix}public.pem`];
}
