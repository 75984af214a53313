import type { TokenPrefix } from '../../core/crypto/section-token.js';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS, type InputLimit } from '../../node/input-limits.js';
import { loadEncryptionKey, loadPrivateKey, noRuntimeChosen } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import { readTextInput } from '../../node/read-input.js';
import { PLATFORMS, type PlatformChoice } from '../../core/platforms/platforms.js';
import { assertSchemaSupported, chosenPlatform, deprecatedPrefix } from './platform-options.js';
import type { CreateContractOptions } from '../../core/authoring/create-contract.js';

/** The flags of one contract, as `hpvs-ctl contract` takes them (and a batch row would). */

export interface ContractFlags {
  workload: string;
  env: string;
  attestationKey?: string | undefined;
  cert?: string | undefined;
  platform?: PlatformChoice | undefined;
  certVersion?: string | undefined;
  encrypt?: boolean | undefined;
  allowExpired?: boolean | undefined;
  signKey?: string | undefined;
  signPassphraseFile?: string | undefined;
  expiryDays?: number | undefined;
  caCert?: string | undefined;
  caKey?: string | undefined;
  caPassphraseFile?: string | undefined;
  csr?: string | undefined;
  subject?: string | undefined;
  profile?: 'hpvs' | 'ccrv' | undefined;
  prefix?: TokenPrefix | undefined;
  sectionStyle?: 'block-string' | 'mapping' | undefined;
}

/** Refuses flag combinations that cannot work, before any file is read. */
export function checkContractFlags(flags: ContractFlags): void {
  const platformGiven = flags.platform !== undefined || flags.profile !== undefined;
  if (flags.certVersion !== undefined && !platformGiven) {
    throw new HpvsError('USAGE', '--cert-version picks a certificate of the --platform given');
  }
  if (encrypts(flags) && flags.cert === undefined && !platformGiven) {
    throw noRuntimeChosen();
  }
  const expiryFlags = { '--ca-cert': flags.caCert, '--ca-key': flags.caKey };
  if (flags.expiryDays === undefined) {
    const stray = Object.entries({
      ...expiryFlags,
      '--ca-passphrase-file': flags.caPassphraseFile,
      '--csr': flags.csr,
      '--subject': flags.subject,
    })
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
    if (stray.length > 0)
      throw new HpvsError('USAGE', `${stray.join(', ')} only work with --expiry-days`);
  } else {
    if (flags.signKey === undefined) {
      throw new HpvsError(
        'USAGE',
        '--expiry-days needs --sign-key: the expiry certificate is issued for the signing key',
      );
    }
    const missing = Object.entries(expiryFlags)
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    if (missing.length > 0)
      throw new HpvsError('USAGE', `--expiry-days needs ${missing.join(' and ')}`);
    if (flags.csr !== undefined && flags.subject !== undefined) {
      throw new HpvsError(
        'USAGE',
        'give --csr or --subject, not both (the CSR carries the subject)',
      );
    }
  }
  if (flags.signPassphraseFile !== undefined && flags.signKey === undefined) {
    throw new HpvsError('USAGE', '--sign-passphrase-file needs --sign-key');
  }
}

/** `--cert` and `--cert-version` each imply `--encrypt`. */
function encrypts(flags: Pick<ContractFlags, 'encrypt' | 'cert' | 'certVersion'>): boolean {
  return flags.encrypt === true || flags.cert !== undefined || flags.certVersion !== undefined;
}

export function parseDays(value: string): number {
  const days = Number(value);
  if (!/^-?[0-9]+$/.test(value.trim()) || days <= 0) {
    throw new HpvsError(
      'USAGE',
      `--expiry-days must be a whole number of days greater than 0, got "${value}"`,
    );
  }
  return days;
}

/** Reads every file a contract needs into the options of `createContract`. */
export async function loadContractOptions(
  flags: ContractFlags,
  now: Date,
): Promise<CreateContractOptions> {
  return {
    workload: await readSection(flags.workload, 'workload section'),
    env: await readSection(flags.env, 'env section'),
    ...(await loadSharedOptions(flags, now)),
  };
}

export async function readSection(
  path: string,
  what: string,
  limit: InputLimit = INPUT_LIMITS.section,
) {
  return { text: await readTextInput(path, what, limit), source: path === '-' ? 'stdin' : path };
}

/** The files and flags of a contract other than its sections (`--in` takes those from one file). */
export async function loadSharedOptions(
  flags: Omit<ContractFlags, 'workload' | 'env'>,
  now: Date,
): Promise<Omit<CreateContractOptions, 'workload' | 'env'>> {
  checkContractFlags(flags as ContractFlags);
  const platform = chosenPlatform(flags.platform, flags.profile);
  assertSchemaSupported(platform);
  const prefix = deprecatedPrefix(flags.prefix, platform);
  const key = encrypts(flags)
    ? await loadEncryptionKey(flags.cert, {
        platform,
        certVersion: flags.certVersion,
        allowExpired: flags.allowExpired,
      })
    : undefined;
  const section = readSection;
  const signingKey =
    flags.signKey === undefined
      ? undefined
      : await loadPrivateKey(flags.signKey, flags.signPassphraseFile);
  return {
    attestationPublicKey:
      flags.attestationKey === undefined
        ? undefined
        : await section(flags.attestationKey, 'attestation public key'),
    encryption:
      key === undefined
        ? undefined
        : { material: key.material, source: key.source, allowExpired: flags.allowExpired },
    signing:
      signingKey === undefined
        ? undefined
        : {
            privateKey: signingKey,
            expiry:
              flags.expiryDays === undefined
                ? undefined
                : {
                    days: flags.expiryDays,
                    caCertificatePem: await readTextInput(
                      flags.caCert!,
                      'CA certificate',
                      INPUT_LIMITS.pem,
                    ),
                    caPrivateKey: await loadPrivateKey(flags.caKey!, flags.caPassphraseFile),
                    csrPem:
                      flags.csr === undefined
                        ? undefined
                        : await readTextInput(flags.csr, 'CSR', INPUT_LIMITS.pem),
                    subject: flags.subject,
                    caSource: flags.caCert,
                  },
          },
    platform,
    prefix: prefix ?? key?.prefix ?? (platform ? PLATFORMS[platform].tokenPrefix : undefined),
    sectionStyle: flags.sectionStyle,
    now,
    random: systemRandom,
  };
}
