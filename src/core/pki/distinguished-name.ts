import { HpvsError } from '../errors.js';

/**
 * Accepts a subject as openssl writes it (`/C=DE/O=Example/CN=deployer`) or in RFC 4514 form
 * (`CN=deployer, O=Example`) and returns the comma form the x509 library takes.
 */
export function normalizeSubject(subject: string): string {
  const text = subject.trim();
  const parts = text.startsWith('/')
    ? text
        .slice(1)
        .split(/(?<!\\)\//)
        .map((part) => part.replace(/\\\//g, '/').replace(/,/g, '\\,'))
    : text.split(/(?<!\\),/).map((part) => part.trim());
  const attributes = parts.filter((part) => part.length > 0);
  if (
    attributes.length === 0 ||
    attributes.some((part) => !/^[A-Za-z][A-Za-z0-9.]*=.+$/.test(part))
  ) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      `invalid subject "${subject}": expected attributes like "/CN=name/O=org" or "CN=name, O=org"`,
    );
  }
  return attributes.join(', ');
}
