import { input, worded } from '../wording.js';
import { HpvsError } from '../errors.js';
import { printable } from './version-range.js';

/** Where IBM publishes HPVS-for-VPC encryption certificates (SPEC-IBM A4.2). */
export const IBM_CERTIFICATE_BASE_URL =
  'https://hpvsvpcubuntu.s3.us.cloud-object-storage.appdomain.cloud';

/**
 * The certificate URL of an HPVS runtime version: `1.0.29` →
 * `<base>/s390x-29/ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt`. The parts
 * must be numbers (IBM pastes whatever it is given into the URL).
 */
export function hpvsCertificateUrl(version: string, baseUrl = IBM_CERTIFICATE_BASE_URL): string {
  const parts = /^(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/.exec(version);
  if (parts === null) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`${input('runtime-version')}: "${printable(version)}" is not an HPVS runtime version (three numbers, like 1.0.29; several separated by commas)`,
    );
  }
  const [, major, minor, patch] = parts;
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/s390x-${patch}/ibm-hyper-protect-container-runtime-${major}-${minor}-s390x-${patch}-encrypt.crt`;
}

/**
 * A base URL certificates may be fetched from, as the WHATWG parser prints it (so no control
 * character of the input reaches a message), or undefined: https only, without ?query or
 * #fragment (the certificate path is appended to it).
 */
export function httpsBaseUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' && url.search === '' && url.hash === '' ? url.href : undefined;
}
