import type { CreateContractOptions } from '../core/authoring/create-contract.js';
import type { SectionInput } from '../core/contract/assemble-contract.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import type { TokenPrefix } from '../core/crypto/section-token.js';
import { PLATFORMS, type PlatformName } from '../core/platforms/platforms.js';
import { INPUT_LIMITS, type InputLimit } from '../node/input-limits.js';
import { loadEncryptionKey, loadPrivateKey } from '../node/load-keys.js';
import { readTextInput } from '../node/read-input.js';

/** The files and choices of a contract besides its sections, as a deployer names them. */
export interface ContractSources {
  /** The auditor's attestation public key (PEM) or its token. */
  attestationKeyFile?: string | undefined;
  /** Encrypt the plaintext sections: for a certificate file, or the platform's catalogue one. */
  encryption?:
    | {
        certFile?: string | undefined;
        certVersion?: string | undefined;
        allowExpired?: boolean | undefined;
      }
    | undefined;
  signing?:
    | {
        keyFile: string;
        passphraseFile?: string | undefined;
        /** Issue a certificate for the signing key from this CA, valid for `days`. */
        expiry?:
          | {
              days: number;
              caCertFile: string;
              caKeyFile: string;
              caPassphraseFile?: string | undefined;
              csrFile?: string | undefined;
              subject?: string | undefined;
            }
          | undefined;
      }
    | undefined;
  platform?: PlatformName | undefined;
  /** A token prefix chosen explicitly (else the key's, else the platform's). */
  prefix?: TokenPrefix | undefined;
  sectionStyle?: CreateContractOptions['sectionStyle'];
  now: Date;
  random: RandomSource;
}

/** A section (or whole contract) file as its exact text, named for messages. */
export async function readSectionInput(
  path: string,
  what: string,
  limit: InputLimit = INPUT_LIMITS.section,
): Promise<SectionInput> {
  return { text: await readTextInput(path, what, limit), source: path === '-' ? 'stdin' : path };
}

/**
 * Reads the keys and files of `sources` (the encryption key first, then the signing key, the
 * attestation key and the expiry CA) into the options `createContract` and `buildContractFile`
 * share.
 */
export async function readContractInputs(
  sources: ContractSources,
): Promise<Omit<CreateContractOptions, 'workload' | 'env'>> {
  const { platform, encryption, signing } = sources;
  const key =
    encryption === undefined
      ? undefined
      : await loadEncryptionKey(encryption.certFile, {
          platform,
          certVersion: encryption.certVersion,
          allowExpired: encryption.allowExpired,
        });
  const signingKey =
    signing === undefined
      ? undefined
      : await loadPrivateKey(signing.keyFile, signing.passphraseFile);
  const attestationPublicKey =
    sources.attestationKeyFile === undefined
      ? undefined
      : await readSectionInput(sources.attestationKeyFile, 'attestation public key');
  const expiry = signing?.expiry;
  return {
    attestationPublicKey,
    encryption:
      key === undefined
        ? undefined
        : { material: key.material, source: key.source, allowExpired: encryption?.allowExpired },
    signing:
      signingKey === undefined
        ? undefined
        : {
            privateKey: signingKey,
            expiry:
              expiry === undefined
                ? undefined
                : {
                    days: expiry.days,
                    caCertificatePem: await readTextInput(
                      expiry.caCertFile,
                      'CA certificate',
                      INPUT_LIMITS.pem,
                    ),
                    caPrivateKey: await loadPrivateKey(expiry.caKeyFile, expiry.caPassphraseFile),
                    csrPem:
                      expiry.csrFile === undefined
                        ? undefined
                        : await readTextInput(expiry.csrFile, 'CSR', INPUT_LIMITS.pem),
                    subject: expiry.subject,
                    caSource: expiry.caCertFile,
                  },
          },
    platform,
    prefix:
      sources.prefix ?? key?.prefix ?? (platform ? PLATFORMS[platform].tokenPrefix : undefined),
    sectionStyle: sources.sectionStyle,
    now: sources.now,
    random: sources.random,
  };
}
