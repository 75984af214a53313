// @peculiar/x509 resolves its algorithm registry through tsyringe, which needs the
// reflect-metadata polyfill loaded before the library itself.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
