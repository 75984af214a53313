import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { inject } from 'vitest';

/**
 * RSA-4096 key pairs generated once per test run, by the global set-up, for the fixtures that
 * need a key of IBM's size but not a key of their own: one costs about 1.5 s of CPU, and some
 * thirty files each made one for the same purpose. Each name is a different key, so a fixture
 * that holds two of them still holds two keys.
 */
export const SHARED_RSA_4096 = ['authoring-runtime', 'test-pki-leaf'] as const;
export type SharedRsaKeyName = (typeof SHARED_RSA_4096)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** PKCS#8 PEM of each shared key, by name. */
    sharedRsa4096: Record<SharedRsaKeyName, string>;
  }
}

/** For the global set-up: the keys, generated side by side off the main thread. */
export async function generateSharedRsaKeys(): Promise<Record<SharedRsaKeyName, string>> {
  const generate = promisify(generateKeyPair);
  const pems = await Promise.all(
    SHARED_RSA_4096.map(async () => {
      const { privateKey } = await generate('rsa', {
        modulusLength: 4096,
        publicExponent: 0x10001,
      });
      return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    }),
  );
  return Object.fromEntries(SHARED_RSA_4096.map((name, i) => [name, pems[i]!])) as Record<
    SharedRsaKeyName,
    string
  >;
}

/** One of the run's shared RSA-4096 key pairs. */
export function sharedRsa4096(name: SharedRsaKeyName): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  const privateKey = createPrivateKey(inject('sharedRsa4096')[name]);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
