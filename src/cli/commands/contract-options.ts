import type { TokenPrefix } from '../../core/crypto/section-token.js';
import { HpvsError } from '../../core/errors.js';
import { noRuntimeChosen } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import type { PlatformChoice } from '../../core/platforms/platforms.js';
import type { ContractSources } from '../../app/read-contract-inputs.js';
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

/**
 * What the flags of one contract name, for the app's contract use cases: flag combinations are
 * refused here, and the platform chosen (saying which alias or deprecated flag stood for it).
 */
export function contractSources(
  flags: Omit<ContractFlags, 'workload' | 'env'>,
  now: Date,
): ContractSources {
  checkContractFlags(flags as ContractFlags);
  const platform = chosenPlatform(flags.platform, flags.profile);
  assertSchemaSupported(platform);
  const prefix = deprecatedPrefix(flags.prefix, platform);
  return {
    attestationKeyFile: flags.attestationKey,
    encryption: encrypts(flags)
      ? { certFile: flags.cert, certVersion: flags.certVersion, allowExpired: flags.allowExpired }
      : undefined,
    signing:
      flags.signKey === undefined
        ? undefined
        : {
            keyFile: flags.signKey,
            passphraseFile: flags.signPassphraseFile,
            expiry:
              flags.expiryDays === undefined
                ? undefined
                : {
                    days: flags.expiryDays,
                    caCertFile: flags.caCert!,
                    caKeyFile: flags.caKey!,
                    caPassphraseFile: flags.caPassphraseFile,
                    csrFile: flags.csr,
                    subject: flags.subject,
                  },
          },
    platform,
    prefix,
    sectionStyle: flags.sectionStyle,
    now,
    random: systemRandom,
  };
}

/** Reads every file a contract needs into the options of `createContract` (a batch's base). */
export async function loadContractOptions(
  flags: ContractFlags,
  now: Date,
): Promise<CreateContractOptions> {
  const { readContractInputs, readSectionInput } =
    await import('../../app/read-contract-inputs.js');
  return {
    workload: await readSectionInput(flags.workload, 'workload section'),
    env: await readSectionInput(flags.env, 'env section'),
    ...(await readContractInputs(contractSources(flags, now))),
  };
}
