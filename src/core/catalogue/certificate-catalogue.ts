import { input, worded } from '../wording.js';
import { HpvsError } from '../errors.js';
import { PLATFORM_NAMES, type PlatformName } from '../platforms/platforms.js';
import type { CatalogueEntry } from './catalogue-entry.js';
import { expiryWarning, statusAt, type StatusAt } from './certificate-status.js';
import { IBM_CERTIFICATES } from './ibm-certificates.js';
import { compareRuntimeVersions } from './runtime-version.js';
import { highestMatching, parseVersionRange, printable } from './version-range.js';

/**
 * The bundled catalogue of IBM's encryption certificates: which one to encrypt for, given a
 * platform and optionally a runtime version. Status is computed at `now`, never stored.
 */

export interface CatalogueListing extends StatusAt {
  entry: CatalogueEntry;
}

export interface CatalogueChoice extends CatalogueListing {
  /** What the caller should show: the certificate ends soon. */
  warnings: string[];
}

function windowOf(entry: CatalogueEntry) {
  return { notBefore: new Date(entry.notBefore), notAfter: new Date(entry.notAfter) };
}

/** The entries of one platform (or all), each platform's newest version first. */
export function listCatalogue(platform: PlatformName | undefined, now: Date): CatalogueListing[] {
  return IBM_CERTIFICATES.filter((entry) => platform === undefined || entry.platform === platform)
    .slice()
    .sort(
      (a, b) =>
        PLATFORM_NAMES.indexOf(a.platform) - PLATFORM_NAMES.indexOf(b.platform) ||
        compareRuntimeVersions(b.version, a.version),
    )
    .map((entry) => ({ entry, ...statusAt(windowOf(entry), now) }));
}

/**
 * What `encrypt --platform` uses without a version: the newest certificate valid at the
 * listing's time. `listing` is one platform's, newest first (as listCatalogue gives it).
 */
export function newestValid(listing: readonly CatalogueListing[]): CatalogueListing | undefined {
  return listing.find((item) => item.status === 'valid');
}

/** `IBM's hpvs 1.0.29 encryption certificate`. */
export function describeEntry(entry: CatalogueEntry): string {
  return `IBM's ${entry.platform} ${entry.version} encryption certificate`;
}

/**
 * The certificate to encrypt for: the highest version matching `version` (a version or a
 * semver range, as IBM's get-certificate takes), or the newest one valid at `now`. An expired
 * or not yet valid certificate is refused unless `allowExpired`.
 */
export function chooseCatalogueCertificate(request: {
  platform: PlatformName;
  version?: string | undefined;
  allowExpired?: boolean | undefined;
  now: Date;
}): CatalogueChoice {
  const listing = listCatalogue(request.platform, request.now);
  const versions = listing.map((item) => item.entry.version).join(', ');
  let chosen: CatalogueListing | undefined;
  if (request.version !== undefined) {
    const range = parseVersionRange(request.version.trim(), 'certificate version');
    chosen = highestMatching(
      listing.map((item) => ({ ...item, version: item.entry.version })),
      range,
    );
    if (chosen === undefined) {
      throw new HpvsError(
        'CERT_NOT_FOUND',
        worded`the catalogue has no ${request.platform} certificate for version ${printable(request.version)} (it has ${versions}); ${input('give-encryption-certificate')}`,
      );
    }
  } else {
    chosen = newestValid(listing);
    if (chosen === undefined) {
      throw new HpvsError(
        'CERT_EXPIRED',
        worded`none of the catalogue's ${request.platform} certificates (${versions}) is valid on ${request.now.toISOString()}; ${input('current-or-expired-certificate')}`,
      );
    }
  }
  const { entry } = chosen;
  if (chosen.status !== 'valid' && !request.allowExpired) {
    const when =
      chosen.status === 'expired'
        ? `expired on ${entry.notAfter}`
        : `is not valid until ${entry.notBefore}`;
    throw new HpvsError(
      chosen.status === 'expired' ? 'CERT_EXPIRED' : 'CERT_NOT_YET_VALID',
      worded`${describeEntry(entry)} ${when}; ${input('current-version-or-allow-expired')}`,
    );
  }
  const warning = expiryWarning(describeEntry(entry), windowOf(entry), chosen);
  return { ...chosen, warnings: warning === undefined ? [] : [warning] };
}
