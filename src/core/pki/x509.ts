// @peculiar/x509 resolves its algorithm registry through tsyringe, which refuses to load without
// the reflect-metadata polyfill (a global `Reflect` extension it cannot do without).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The WebCrypto every @peculiar/x509 call that can take one is given. The library's global
 * `cryptoProvider` belongs to whichever program loads it; a library that set it would change
 * the crypto of its caller's own x509 code, and relying on it would let the caller change ours.
 */
export const x509Crypto = webcrypto as unknown as NonNullable<
  Parameters<typeof x509.X509CrlGenerator.create>[1]
>;

export { x509 };
