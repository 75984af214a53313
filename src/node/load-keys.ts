import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  assertCertificateCurrent,
  parsePrivateKey,
  parsePublicKeyOrCertificate,
  type PublicKeyMaterial,
} from '../core/crypto/keys.js';
import type { TokenPrefix } from '../core/crypto/section-token.js';
import { expiryWarning, statusAt } from '../core/catalogue/certificate-status.js';
import { assertEncryptionKey } from '../core/crypto/encryption-key-rules.js';
import { HpvsError } from '../core/errors.js';
import { input, worded } from '../core/wording.js';
import {
  describePlatforms,
  platformsOfSubject,
  PLATFORMS,
  type PlatformName,
} from '../core/platforms/platforms.js';
import { note, warn } from './console.js';
import { INPUT_LIMITS } from './input-limits.js';
import { readInput } from './read-input.js';
import { readSecret } from './read-secret.js';

export async function loadPublicKeyOrCertificate(path: string): Promise<PublicKeyMaterial> {
  return parsePublicKeyOrCertificate(
    await readInput(path, 'certificate or public key', INPUT_LIMITS.pem),
    path,
  );
}

export interface EncryptionKeyOptions {
  /** Decides the token prefix, and picks the catalogue's certificate when no file is given. */
  platform?: PlatformName | undefined;
  /** The catalogue certificate of this runtime version instead of the newest valid one. */
  certVersion?: string | undefined;
  allowExpired?: boolean | undefined;
}

export interface EncryptionKey {
  publicKey: KeyObject;
  /** The key with its certificate, for callers that check or describe it. */
  material: PublicKeyMaterial;
  /** Where it came from: the --cert path or the catalogue file name. */
  source: string;
  /** The platform's prefix; `hyper-protect-basic` for a certificate file without a platform. */
  prefix: TokenPrefix;
}

/**
 * The runtime's encryption certificate (or a bare RSA public key) to encrypt for, checked by
 * the encryption key rules (too small or not for key encipherment: refused; below IBM's size:
 * a warning on stderr).
 */
export async function loadEncryptionMaterial(path: string): Promise<PublicKeyMaterial> {
  const material = await loadPublicKeyOrCertificate(path);
  for (const warning of assertEncryptionKey(material, path)) warn(warning);
  return material;
}

/**
 * The public key to encrypt a section for: a certificate (or bare RSA public key) file when
 * `cert` is given, else IBM's certificate for the platform from the bundled catalogue (saying
 * on stderr which one). A certificate outside its validity window is refused unless
 * `allowExpired`; one that ends within 30 days, or whose subject is IBM's certificate of
 * another platform, is used with a warning.
 */
export async function loadEncryptionKey(
  cert: string | undefined,
  options: EncryptionKeyOptions = {},
): Promise<EncryptionKey> {
  const now = new Date();
  const { platform } = options;
  const prefix = platform === undefined ? 'hyper-protect-basic' : PLATFORMS[platform].tokenPrefix;
  if (cert !== undefined) {
    if (options.certVersion !== undefined) {
      throw new HpvsError('USAGE', worded`${input('catalogue-version-not-with-certificate')}`);
    }
    const material = await loadEncryptionMaterial(cert);
    if (material.certificate) {
      if (!options.allowExpired) assertCertificateCurrent(material.certificate, now, cert);
      warnAboutCertificate(material.certificate, cert, platform, now);
    }
    return { publicKey: material.publicKey, material, source: cert, prefix };
  }
  if (platform === undefined) throw noRuntimeChosen();
  const { chooseCatalogueCertificate, describeEntry } =
    await import('../core/catalogue/certificate-catalogue.js');
  const choice = chooseCatalogueCertificate({
    platform,
    version: options.certVersion,
    allowExpired: options.allowExpired,
    now,
  });
  const { entry } = choice;
  note(
    `hpvs-ctl: encrypting for ${describeEntry(entry)} (serial ${entry.serial}, valid until ${entry.notAfter}, ${choice.daysLeft} days left)`,
  );
  for (const message of choice.warnings) warn(message);
  const material = parsePublicKeyOrCertificate(entry.pem, entry.file);
  return { publicKey: material.publicKey, material, source: entry.file, prefix };
}

/**
 * Encrypting with neither --platform nor --cert: there is no safe default runtime (HPVS on VPC
 * takes no new instances, and IBM's empty platform mixes two), so the user must choose.
 */
export function noRuntimeChosen(): HpvsError {
  return new HpvsError(
    'USAGE',
    worded`say which runtime to encrypt for: ${input('platform-uses-catalogue')} (${describePlatforms()}), ${input('or-give-certificate')}`,
  );
}

function warnAboutCertificate(
  certificate: X509Certificate,
  source: string,
  platform: PlatformName | undefined,
  now: Date,
): void {
  const window = {
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
  const soon = expiryWarning(source, window, statusAt(window, now));
  if (soon !== undefined) warn(soon);
  if (platform === undefined) return;
  const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1] ?? '';
  const owners = platformsOfSubject(commonName);
  if (owners.length > 0 && !owners.includes(platform)) {
    warn(
      `${source}: its subject "${commonName}" is IBM's ${owners.join('/')} encryption certificate, not ${platform}'s: a ${platform} runtime probably cannot decrypt what is encrypted for it`,
    );
  }
}

export async function loadPrivateKey(path: string, passphraseFile?: string): Promise<KeyObject> {
  const pem = await readInput(path, 'private key', INPUT_LIMITS.pem);
  const passphrase =
    passphraseFile === undefined
      ? undefined
      : await readSecret({ file: passphraseFile, what: 'passphrase' });
  return parsePrivateKey(pem, path, passphrase);
}
