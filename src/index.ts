/**
 * hpvs-ctl as a library: the operations of the `hpvs-ctl` command line for programs (a Pulumi
 * or CDK stack, a CI job, an operator), for the three personas of an IBM Hyper Protect contract
 * (workload provider, workload deployer, auditor) and the local runtime emulator.
 *
 * The functions here are the ones the commands call, with the file reading, flags and exit
 * codes left out: each takes strings, bytes or objects, reads no file it was not given, never
 * looks at `process.argv` and never sets `process.exitCode`. The clock (`now`) and randomness
 * (`random`) are options wherever the work uses them; they default to the current time and
 * {@link systemRandom}. Failures are thrown as {@link HpvsError}, whose `code` is stable.
 *
 * Keys are given as PEM text or bytes, or as node:crypto `KeyObject`s ({@link KeyInput}).
 *
 * @packageDocumentation
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { verifyAttestation, type AttestationReport } from './app/attestation/verify-attestation.js';
import { parseReferenceValues } from './core/attestation/reference-values.js';
import { openRecord } from './core/attestation/verify-record.js';
import type { VerificationCheck } from './core/pki/verification-check.js';
import {
  certificatePublicKey,
  verifyBatch,
  type BundleResult,
} from './app/attestation/verify-batch.js';
import {
  createContract as createContractFromSections,
  type CreateContractOptions as CoreCreateContractOptions,
  type CreatedContract,
} from './core/authoring/create-contract.js';
import { buildContractFile } from './core/authoring/build-contract-file.js';
import {
  createContractBatch as createBatchOfContracts,
  instanceNameProblem,
  type BatchContract,
  type BatchResult,
} from './app/contract-batch/contract-batch.js';
import {
  chooseCatalogueCertificate,
  listCatalogue,
  type CatalogueChoice,
  type CatalogueListing,
} from './core/catalogue/certificate-catalogue.js';
import { expiryWarning, statusAt } from './core/catalogue/certificate-status.js';
import { httpsBaseUrl, IBM_CERTIFICATE_BASE_URL } from './core/catalogue/hpvs-certificate-url.js';
import {
  downloadHpvsCertificates,
  type DownloadedCertificate,
  type DownloadedCertificates,
} from './app/download-hpvs-certificates.js';
import type { SectionStyle } from './core/contract/assemble-contract.js';
import { inspectUserData as inspectUserDataText } from './core/contract/inspect-user-data.js';
import type { UserDataInspection } from './core/contract/inspect-user-data.js';
import { signUserData, type SignedUserData } from './core/contract/sign-user-data.js';
import {
  parseSectionText,
  parseUserData as parseUserDataText,
  type ContractSection,
  type Position,
} from './core/contract/user-data.js';
import {
  verifyContract as verifyParsedContract,
  type ContractVerification,
} from './core/contract/verify-contract.js';
import {
  decryptSection as decryptSectionToken,
  encryptSection as encryptSectionBytes,
} from './core/crypto/encrypt-section.js';
import { assertEncryptionKey } from './core/crypto/encryption-key-rules.js';
import {
  assertCertificateCurrent,
  parsePrivateKey,
  parsePublicKeyOrCertificate,
  type PublicKeyMaterial,
} from './core/crypto/keys.js';
import type { RandomSource } from './core/crypto/random-source.js';
import type { TokenPrefix } from './core/crypto/section-token.js';
import { HpvsError } from './core/errors.js';
import { PLATFORMS, type PlatformName } from './core/platforms/platforms.js';
import { checkCertificate, type CheckedCertificate } from './core/pki/check-certificate.js';
import type { ValidationReport } from './core/schema/problems.js';
import {
  validateSection as validateParsedSection,
  validateUserData as validateParsedUserData,
} from './core/schema/validate-contract.js';
import { bootContract, type BootResult } from './emulator/boot/boot.js';
import { buildCidata as buildSeedImageFiles, type Cidata } from './app/build-cidata.js';
import { seedImageEpoch } from './node/build-seed-image.js';
import { LogServer } from './emulator/log-server.js';
import { stopPodmanInstance, type RemovedParts } from './emulator/runtimes/podman-instance.js';
import { createEmulatorIdentity } from './emulator/identity.js';
import type { ContainerRuntime } from './emulator/runtimes/container-runtime.js';
import { selectRuntime } from './emulator/runtimes/select-runtime.js';
import { loadEmulatorState, PUBLIC_FILES, writeEmulatorState } from './emulator/state.js';
import { systemRandom } from './node/random.js';
import {
  generateRsaKeyPair,
  exportPrivateKeyPem,
  exportPublicKeyPem,
} from './core/pki/rsa-key-pair.js';
import {
  createSyslogCertificates as createSyslogCertificatesAt,
  type SyslogCertificates,
} from './core/pki/syslog-certificates.js';
import {
  parseImageList,
  selectImage as selectImageFromList,
  type ImageSelection,
} from './core/image/select-image.js';
import { validateNetworkConfigText } from './core/schema/validate-network-config.js';
import {
  buildInitdata as buildInitdataValue,
  decodeInitdata as decodeInitdataValue,
} from './core/ccco/initdata.js';
import type { BuiltInitdata, DecodedInitdata } from './core/ccco/initdata.js';
import { checkInitdataContract } from './core/ccco/initdata-contract.js';
import { findInitdata } from './core/ccco/pod-annotation.js';
import { planContainers } from './core/ccco/pod-plan.js';
import { generatePolicy, type GeneratedPolicy } from './core/ccco/rego-policy.js';
import { DEFAULT_AGENT_POLICY_TEMPLATE } from './core/ccco/agent-policy-template.js';
import {
  sealSecret as sealSecretValue,
  unsealSecret as unsealSecretValue,
  type SealedType,
} from './core/ccco/sealed-secret.js';

// ----------------------------------------------------------------------------------------------
// Errors, randomness, platforms

/**
 * The one error class of hpvs-ctl. `code` is one of {@link HpvsErrorCode}; the codes are stable
 * (a code is never renamed or reused for another failure), so programs switch on the code, never
 * on the message, whose wording may improve. `ARGUMENT_INVALID` marks a call that cannot work as
 * made; `wording` holds the message as text and {@link InputPhrase}s (which input to give or
 * change), so a caller can name its own inputs.
 *
 * @example
 * ```ts
 * import { decryptSection, HpvsError } from 'hpvs-ctl';
 * try {
 *   decryptSection(token, privateKeyPem);
 * } catch (error) {
 *   if (error instanceof HpvsError && error.code === 'DECRYPTION_FAILED') console.error('wrong key');
 *   else throw error;
 * }
 * ```
 */
export { HpvsError };
export type { InputPhrase, InputPhraseId, Notice, Wording, WordedText } from './core/wording.js';

/**
 * A warning, a validation problem's message or a check's detail as text. A {@link Notice} that
 * refers to an input is a {@link WordedText}: `message` says it in concepts ("give the signing
 * public key"), and passing your own phrase for each {@link InputPhraseId} names your inputs.
 *
 * @example
 * ```ts
 * import { sayNotice, signContract } from 'hpvs-ctl';
 * const { warnings } = signContract(userDataText, signingKeyPem);
 * for (const warning of warnings) console.warn(sayNotice(warning));
 * ```
 */
export { sayNotice } from './core/wording.js';
export type { InspectionRule } from './core/contract/inspection.js';
export type { RecordSummary } from './core/attestation/record-summary.js';

/**
 * Every code an {@link HpvsError} can carry. Stable: new codes may be added, existing ones keep
 * their meaning. Every way a decryption can fail is the one `DECRYPTION_FAILED`, on purpose.
 *
 * @example
 * ```ts
 * import type { HpvsErrorCode } from 'hpvs-ctl';
 * const retryable: HpvsErrorCode[] = ['DOWNLOAD_FAILED'];
 * ```
 */
export type { HpvsErrorCode } from './core/errors.js';

/**
 * A source of random bytes: `(length) => Uint8Array`. Give a seeded one in tests to make tokens
 * reproducible; never in production.
 *
 * @example
 * ```ts
 * import type { RandomSource } from 'hpvs-ctl';
 * const zeros: RandomSource = (length) => new Uint8Array(length); // tests only
 * ```
 */
export type { RandomSource };

/**
 * The operating system's CSPRNG as a {@link RandomSource}: the default of every `random` option.
 *
 * @example
 * ```ts
 * import { encryptSection, systemRandom } from 'hpvs-ctl';
 * const token = encryptSection(sectionText, { certificate: certPem, random: systemRandom });
 * ```
 */
export { systemRandom };

/**
 * The runtimes hpvs-ctl knows (`hpvs`, `ccrt`, `ccrv`, `ccco`) and what each reads: token
 * prefix, contract schema, workload kinds.
 *
 * @example
 * ```ts
 * import { PLATFORMS } from 'hpvs-ctl';
 * PLATFORMS.ccrt.tokenPrefix; // 'contract-basic'
 * ```
 */
export { PLATFORMS, PLATFORM_NAMES } from './core/platforms/platforms.js';
export type {
  Platform,
  PlatformName,
  PlatformSchema,
  WorkloadKind,
} from './core/platforms/platforms.js';
export type { TokenPrefix };

/**
 * The version of hpvs-ctl.
 *
 * @example
 * ```ts
 * import { VERSION } from 'hpvs-ctl';
 * console.log(`made with hpvs-ctl ${VERSION}`);
 * ```
 */
export { VERSION } from './core/version.js';

/**
 * A key as a program holds it: PEM text, PEM bytes (or base64 of a PEM, as a contract may hold
 * it), or a node:crypto `KeyObject`. Public keys may also be given as an X.509 certificate.
 */
export type KeyInput = string | Uint8Array | KeyObject;

function publicKeyMaterial(key: KeyInput, source: string): PublicKeyMaterial {
  if (key instanceof KeyObject) {
    const publicKey = key.type === 'private' ? createPublicKey(key) : key;
    if (publicKey.asymmetricKeyType !== 'rsa') {
      throw new HpvsError('KEY_UNSUPPORTED', `${source}: hpvs-ctl needs an RSA key`);
    }
    return { publicKey };
  }
  return parsePublicKeyOrCertificate(key, source);
}

function privateKeyOf(
  key: KeyInput,
  source: string,
  passphrase?: string | Uint8Array | undefined,
): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'private') {
      throw new HpvsError('KEY_INVALID', `${source}: a public key; give the private key`);
    }
    return key;
  }
  const secret = typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : passphrase;
  return parsePrivateKey(key, source, secret);
}

/** Text as a program holds it: a string or its UTF-8 bytes. */
export type TextInput = string | Uint8Array;

function textOf(input: TextInput): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

function bytesOf(input: TextInput): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

// ----------------------------------------------------------------------------------------------
// The certificate catalogue (IBM's encryption certificates, bundled)

export type { CatalogueChoice, CatalogueListing };
export type { CatalogueEntry } from './core/catalogue/catalogue-entry.js';
export type { CertificateStatus } from './core/catalogue/certificate-status.js';

/**
 * IBM's encryption certificates in the bundled catalogue, with their status at `now`: one
 * platform's (newest version first) or all of them.
 *
 * @example
 * ```ts
 * import { listCertificates } from 'hpvs-ctl';
 * for (const { entry, status, daysLeft } of listCertificates({ platform: 'hpvs' })) {
 *   console.log(entry.version, status, daysLeft);
 * }
 * ```
 */
export function listCertificates(
  options: { platform?: PlatformName | undefined; now?: Date | undefined } = {},
): CatalogueListing[] {
  return listCatalogue(options.platform, options.now ?? new Date());
}

/**
 * The catalogue certificate to encrypt for: the highest runtime version matching `version` (a
 * version or a semver range), or the newest one valid at `now`. An expired or not yet valid
 * certificate is refused (`CERT_EXPIRED`, `CERT_NOT_YET_VALID`) unless `allowExpired`;
 * `warnings` says when it ends soon.
 *
 * @example
 * ```ts
 * import { pickCertificate } from 'hpvs-ctl';
 * const { entry, warnings } = pickCertificate({ platform: 'ccrt', version: '>=1.0.0' });
 * console.log(entry.file, entry.pem.length, warnings);
 * ```
 */
export function pickCertificate(options: {
  platform: PlatformName;
  version?: string | undefined;
  allowExpired?: boolean | undefined;
  now?: Date | undefined;
}): CatalogueChoice {
  return chooseCatalogueCertificate({ ...options, now: options.now ?? new Date() });
}

export type { DownloadedCertificate, DownloadedCertificates };

function baseUrlOf(text: string): string {
  const url = httpsBaseUrl(text);
  if (url === undefined) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      'the base URL must be an https:// URL without ?query or #fragment',
    );
  }
  return url;
}

/** Options of {@link downloadCertificates}. */
export interface DownloadCertificatesOptions {
  /** HPVS runtime versions (`1.0.29`); a repeated one is fetched once. */
  versions: readonly string[];
  /** Where the certificates are published: an https URL; IBM's bucket by default. */
  baseUrl?: string | undefined;
  /** CA certificates (PEM) to trust for that server besides the system's, e.g. a mirror's. */
  extraCa?: readonly TextInput[] | undefined;
  /** Give up on a certificate after this many milliseconds (30 s by default). */
  timeoutMs?: number | undefined;
  /** Decides each certificate's status and days left; the current time by default. */
  now?: Date | undefined;
}

/**
 * Fetches HPVS-for-VPC encryption certificates over HTTPS (`hpvs-ctl certs download`) and
 * returns IBM's download JSON (`document`: version -> cert, status, expiry_days, expiry_date,
 * what `certs get --from` reads) with what was fetched per version. Every version is checked
 * before the first request and every certificate parsed before anything is returned; a bad
 * version or base URL is `ARGUMENT_INVALID`, a failed request `DOWNLOAD_FAILED`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { downloadCertificates } from 'hpvs-ctl';
 * const { document, certificates } = await downloadCertificates({ versions: ['1.0.28', '1.0.29'] });
 * writeFileSync('certs.json', document);
 * for (const c of certificates) console.log(c.version, c.status, c.expiryDate);
 * ```
 */
export async function downloadCertificates(
  options: DownloadCertificatesOptions,
): Promise<DownloadedCertificates> {
  return downloadHpvsCertificates({
    versions: options.versions,
    baseUrl: baseUrlOf(options.baseUrl ?? IBM_CERTIFICATE_BASE_URL),
    extraCa: (options.extraCa ?? []).map(textOf),
    timeoutMs: options.timeoutMs ?? 30_000,
    now: options.now ?? new Date(),
  });
}

// ----------------------------------------------------------------------------------------------
// Sections: build, encrypt, decrypt

export type {
  Credential,
  EnvSectionInput,
  EnvVolumeInput,
  KmsInput,
  LoggingInput,
  SyslogInput,
  WorkloadSectionInput,
  WorkloadVolumeInput,
} from './core/authoring/section-builders.js';

/**
 * The workload section's YAML text from typed input (what `hpvs-ctl workload` writes).
 *
 * @example
 * ```ts
 * import { buildWorkloadSection } from 'hpvs-ctl';
 * const workload = buildWorkloadSection({
 *   compose: { archive: composeArchiveBase64 },
 *   volumes: { data: { seed: 'workload seed of the provider', mount: '/mnt/data' } },
 * });
 * ```
 */
export { buildWorkloadSection } from './core/authoring/section-builders.js';

/**
 * The env section's YAML text from typed input (what `hpvs-ctl env` writes).
 *
 * @example
 * ```ts
 * import { buildEnvSection } from 'hpvs-ctl';
 * const env = buildEnvSection({
 *   logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: apiKey } },
 *   volumes: { data: { seed: 'env seed of the deployer' } },
 * });
 * ```
 */
export { buildEnvSection } from './core/authoring/section-builders.js';

/**
 * Archives a workload folder (docker-compose.yml or pod YAML and what it needs) into the
 * deterministic tar.gz a workload's `compose.archive` / `play.archive` holds, refusing links
 * and special files. Reads only the folder it is given.
 *
 * @example
 * ```ts
 * import { archiveFolder, buildWorkloadSection } from 'hpvs-ctl';
 * const { base64, warnings } = await archiveFolder('./compose');
 * const workload = buildWorkloadSection({ compose: { archive: base64 } });
 * ```
 */
export { archiveFolder } from './node/archive-folder.js';
export type { ArchiveFolderOptions, FolderArchive } from './node/archive-folder.js';

/** Options of {@link encryptSection}. */
export interface EncryptSectionOptions {
  /**
   * The runtime's encryption certificate (or a bare RSA public key). Without it, `platform`
   * picks IBM's certificate from the bundled catalogue ({@link pickCertificate}).
   */
  certificate?: KeyInput | undefined;
  /** The runtime: decides the token prefix and, without `certificate`, the certificate. */
  platform?: PlatformName | undefined;
  /** With `platform` and no `certificate`: the catalogue certificate of this runtime version. */
  certificateVersion?: string | undefined;
  /** Encrypt for a certificate outside its validity window at `now`. */
  allowExpired?: boolean | undefined;
  /** The token prefix; by default the platform's, or `hyper-protect-basic`. */
  prefix?: TokenPrefix | undefined;
  now?: Date | undefined;
  random?: RandomSource | undefined;
  /**
   * Receives what `hpvs-ctl encrypt` prints as warnings: a key below IBM's 4096 bits, a
   * certificate that expires within 30 days.
   */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * Encrypts a section's exact bytes (the workload or env YAML, or any value) for a runtime and
 * returns the one-line token `<prefix>.<wrapped password>.<data>`, the same token
 * `hpvs-ctl encrypt` prints and the documented openssl recipe makes. A key the encryption key
 * rules refuse (RSA below 2048 bits, a certificate not for key encipherment) throws `KEY_WEAK`
 * or `CERT_USAGE`; an expired certificate throws `CERT_EXPIRED` unless `allowExpired`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { encryptSection } from 'hpvs-ctl';
 * const token = encryptSection(readFileSync('workload.yaml'), {
 *   certificate: readFileSync('encrypt.crt', 'utf8'),
 * });
 * const tokenForCcrt = encryptSection('type: env\n', { platform: 'ccrt' });
 * ```
 */
export function encryptSection(plaintext: TextInput, options: EncryptSectionOptions): string {
  const now = options.now ?? new Date();
  const prefix =
    options.prefix ??
    (options.platform === undefined
      ? 'hyper-protect-basic'
      : PLATFORMS[options.platform].tokenPrefix);
  const warnings: string[] = [];
  let material: PublicKeyMaterial;
  if (options.certificate !== undefined) {
    material = publicKeyMaterial(options.certificate, 'encryption certificate');
    const { certificate } = material;
    if (certificate) {
      if (!options.allowExpired) {
        assertCertificateCurrent(certificate, now, 'encryption certificate');
      }
      const window = {
        notBefore: new Date(certificate.validFrom),
        notAfter: new Date(certificate.validTo),
      };
      const soon = expiryWarning('the encryption certificate', window, statusAt(window, now));
      if (soon !== undefined) warnings.push(soon);
    }
  } else if (options.platform !== undefined) {
    const choice = chooseCatalogueCertificate({
      platform: options.platform,
      version: options.certificateVersion,
      allowExpired: options.allowExpired,
      now,
    });
    warnings.push(...choice.warnings);
    material = parsePublicKeyOrCertificate(choice.entry.pem, choice.entry.file);
  } else {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      'say which runtime to encrypt for: give a certificate, or a platform to take IBM certificate from the catalogue',
    );
  }
  warnings.push(...assertEncryptionKey(material, 'encryption certificate'));
  for (const warning of warnings) options.onWarning?.(warning);
  return encryptSectionBytes(
    bytesOf(plaintext),
    material.publicKey,
    options.random ?? systemRandom,
    prefix,
  );
}

/**
 * Opens a token with the runtime's (or, for an attestation record, the auditor's) private key
 * and returns the exact plaintext bytes. Every failure to decrypt is the one
 * `DECRYPTION_FAILED`; a token that is not a token at all is `TOKEN_MALFORMED`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decryptSection } from 'hpvs-ctl';
 * const bytes = decryptSection(readFileSync('workload.enc', 'utf8'), readFileSync('encrypt.key'));
 * console.log(bytes.toString('utf8'));
 * ```
 */
export function decryptSection(
  token: string,
  privateKey: KeyInput,
  options: { passphrase?: string | Uint8Array | undefined; random?: RandomSource | undefined } = {},
): Buffer {
  return decryptSectionToken(
    token,
    privateKeyOf(privateKey, 'private key', options.passphrase),
    options.random ?? systemRandom,
  );
}

/**
 * The LUKS passphrase the runtime derives for a data volume: hex sha256 of the env seed, the
 * workload seed and an optional third seed, in that order (`hpvs-ctl luks-passphrase`).
 *
 * @example
 * ```ts
 * import { deriveLuksPassphrase } from 'hpvs-ctl';
 * const passphrase = deriveLuksPassphrase(envSeed, workloadSeed);
 * // cryptsetup open data.img data --key-file=- <<< "$passphrase"
 * ```
 */
export { deriveLuksPassphrase } from './core/crypto/luks-passphrase.js';

// ----------------------------------------------------------------------------------------------
// Contracts: parse, validate, inspect, create, sign, verify

export type { Position, SectionForm, YamlPath } from './core/contract/user-data.js';

/** One top-level section of a contract as {@link parseUserData} reads it. */
export type UserDataSection = Omit<ContractSection, 'node'>;

/** A contract (user data) as {@link parseUserData} reads it. */
export interface UserData {
  source: string;
  text: string;
  sections: Map<string, UserDataSection>;
  /** Position of the top-level key `key`, or of the document start when it is missing. */
  keyPosition(key: string): Position;
}

/**
 * Reads a contract (user-data.yaml) into its sections: each with its form (`string` for a `|`
 * block, `mapping`, `token`, `other`), its exact bytes (`value`: what is encrypted, signed and
 * hashed), its parsed content (`data`) and positions in the text. Invalid YAML is
 * `YAML_INVALID` with `source:line:col`.
 *
 * @example
 * ```ts
 * import { parseUserData } from 'hpvs-ctl';
 * const contract = parseUserData(text, 'user-data.yaml');
 * console.log(contract.sections.get('workload')?.form); // 'token' once encrypted
 * ```
 */
export function parseUserData(text: TextInput, source = 'user-data.yaml'): UserData {
  return parseUserDataText(textOf(text), source);
}

export type { ContractProblem, Severity, ValidationReport } from './core/schema/problems.js';

/** Options of {@link validateUserData} and {@link validateSection}. */
export interface ValidateOptions {
  /** The runtime whose schema applies; `hpvs` by default. */
  platform?: PlatformName | undefined;
  /** Names the text in problems (`user-data.yaml:12:9 ...`). */
  source?: string | undefined;
  /** For the expiry of a certificate signingKey. */
  now?: Date | undefined;
}

/**
 * Validates a whole contract (every section, plaintext or encrypted, and the rules across
 * them) and returns every problem with its position and rule id: `valid` is false when any is
 * an error. Never throws for an invalid contract, only for text that is not YAML.
 *
 * @example
 * ```ts
 * import { formatProblem, validateUserData } from 'hpvs-ctl';
 * const report = await validateUserData(text, { platform: 'hpvs', source: 'user-data.yaml' });
 * for (const problem of report.problems) console.log(formatProblem(problem));
 * ```
 */
export async function validateUserData(
  text: TextInput,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  return validateParsedUserData(
    parseUserDataText(textOf(text), options.source ?? 'user-data.yaml'),
    validateOptionsOf(options),
  );
}

/**
 * Validates one section on its own (the workload or env YAML before it is encrypted).
 *
 * @example
 * ```ts
 * import { validateSection } from 'hpvs-ctl';
 * const report = await validateSection('env', envYaml, { source: 'env.yaml' });
 * if (!report.valid) throw new Error(report.problems[0]?.message);
 * ```
 */
export async function validateSection(
  kind: 'workload' | 'env',
  text: TextInput,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  return validateParsedSection(
    parseSectionText(kind, textOf(text), options.source ?? `${kind}.yaml`),
    validateOptionsOf(options),
  );
}

function validateOptionsOf(options: ValidateOptions) {
  return {
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    now: options.now ?? new Date(),
  };
}

/**
 * One problem on one line: `user-data.yaml:12:9 env.volumes.data.seed: must be at least 15
 * characters`.
 *
 * @example
 * ```ts
 * import { formatProblem, validateSection } from 'hpvs-ctl';
 * const { problems } = await validateSection('workload', text);
 * console.log(problems.map(formatProblem).join('\n'));
 * ```
 */
export { formatProblem } from './core/schema/problems.js';

export type {
  EnvSummary,
  Finding,
  ImageReport,
  KeyReport,
  LoggingReport,
  PublicKeySummary,
  SectionReport,
  SignatureReport,
  TokenReport,
  UserDataInspection,
  VolumeReport,
  WorkloadSummary,
} from './core/contract/inspect-user-data.js';

/**
 * What a contract holds, without any key: each section's form, what can be read of the
 * plaintext ones (images and whether they are pinned, volumes, logging, keys), the tokens'
 * structure, the signature's presence, and findings (`hpvs-ctl inspect`).
 *
 * @example
 * ```ts
 * import { inspectUserData } from 'hpvs-ctl';
 * const report = await inspectUserData(text, { source: 'user-data.yaml' });
 * for (const finding of report.findings) console.log(finding.rule, finding.message);
 * ```
 */
export async function inspectUserData(
  text: TextInput,
  options: { source?: string | undefined; now?: Date | undefined } = {},
): Promise<UserDataInspection> {
  return inspectUserDataText(
    textOf(text),
    options.source ?? 'user-data.yaml',
    options.now ?? new Date(),
  );
}

export type { CreatedContract, SectionStyle };

/** Options of {@link createContract}. */
export interface CreateContractOptions {
  /** The workload section: its YAML (without the `workload:` key) or a token of it. */
  workload: TextInput;
  /** The env section: its YAML (without the `env:` key) or a token of it. */
  env: TextInput;
  /** The auditor's PEM public key (or a token of it), to have attestation records encrypted. */
  attestationPublicKey?: TextInput | undefined;
  /** Encrypts the plaintext sections for this certificate or public key. */
  encryptionCertificate?: KeyInput | undefined;
  /** Encrypt even for a certificate outside its validity window. */
  allowExpired?: boolean | undefined;
  /**
   * Signs the contract (envWorkloadSignature) with this RSA private key and adds its public key
   * to env as signingKey. env must then be plaintext.
   */
  signingKey?: KeyInput | undefined;
  /** The passphrase of a protected `signingKey` PEM. */
  signingKeyPassphrase?: string | Uint8Array | undefined;
  /**
   * Contract expiry: signingKey becomes a certificate, valid for `days` from `now`, issued by
   * the deployer's CA.
   */
  expiry?:
    | {
        days: number;
        caCertificate: string;
        caPrivateKey: KeyInput;
        /** A CSR for the signing key (its subject is used), or a subject such as `/CN=...`. */
        csr?: string | undefined;
        subject?: string | undefined;
      }
    | undefined;
  /** The runtime whose schema checks the sections and whose token prefix is used. */
  platform?: PlatformName | undefined;
  prefix?: TokenPrefix | undefined;
  /** How plaintext sections are written: IBM's `|` block string (default) or a mapping. */
  sectionStyle?: SectionStyle | undefined;
  now?: Date | undefined;
  random?: RandomSource | undefined;
}

/**
 * Makes user-data.yaml from its sections in one step (`hpvs-ctl contract`): validates the
 * plaintext sections (the first error throws `CONTRACT_INVALID`), signs if asked (with
 * contract expiry if asked), encrypts the plaintext sections if a certificate is given, and
 * returns the text with the warnings. Sections that are already tokens stay as they are.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createContract } from 'hpvs-ctl';
 * const contract = await createContract({
 *   workload: readFileSync('workload.yaml', 'utf8'),
 *   env: readFileSync('env.yaml', 'utf8'),
 *   encryptionCertificate: readFileSync('encrypt.crt', 'utf8'),
 *   signingKey: readFileSync('signing.key', 'utf8'),
 * });
 * console.log(contract.text);
 * ```
 */
export async function createContract(options: CreateContractOptions): Promise<CreatedContract> {
  return createContractFromSections(contractOptions(options));
}

/** Options of {@link completeContract}: those of {@link createContract} but the sections. */
export type CompleteContractOptions = Omit<
  CreateContractOptions,
  'workload' | 'env' | 'attestationPublicKey' | 'sectionStyle'
> & {
  /** Names the text in messages. */
  source?: string | undefined;
};

/**
 * Signs and encrypts a whole plaintext contract (`hpvs-ctl contract --in`): every byte not
 * asked to change stays (comments, key order, section text), sections already encrypted are
 * kept, an existing signingKey of another key is refused.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { completeContract } from 'hpvs-ctl';
 * const { text } = await completeContract(readFileSync('contract.yaml', 'utf8'), {
 *   encryptionCertificate: readFileSync('encrypt.crt', 'utf8'),
 *   signingKey: readFileSync('signing.key', 'utf8'),
 * });
 * ```
 */
export async function completeContract(
  text: TextInput,
  options: CompleteContractOptions,
): Promise<CreatedContract> {
  return buildContractFile({
    text: textOf(text),
    source: options.source ?? 'contract.yaml',
    ...contractKeys(options),
    now: options.now ?? new Date(),
    random: options.random ?? systemRandom,
  });
}

/** What the core's contract builders take, from the options of the API's contract functions. */
function contractOptions(options: CreateContractOptions): CoreCreateContractOptions {
  return {
    workload: { text: textOf(options.workload), source: 'workload' },
    env: { text: textOf(options.env), source: 'env' },
    ...(options.attestationPublicKey === undefined
      ? {}
      : {
          attestationPublicKey: {
            text: textOf(options.attestationPublicKey),
            source: 'attestationPublicKey',
          },
        }),
    ...contractKeys(options),
    sectionStyle: options.sectionStyle,
    now: options.now ?? new Date(),
    random: options.random ?? systemRandom,
  };
}

function contractKeys(options: CompleteContractOptions) {
  const encryption =
    options.encryptionCertificate === undefined
      ? undefined
      : {
          material: publicKeyMaterial(options.encryptionCertificate, 'encryption certificate'),
          source: 'encryption certificate',
          allowExpired: options.allowExpired,
        };
  if (encryption) assertEncryptionKey(encryption.material, encryption.source);
  const { expiry } = options;
  const signing =
    options.signingKey === undefined
      ? undefined
      : {
          privateKey: privateKeyOf(options.signingKey, 'signing key', options.signingKeyPassphrase),
          expiry:
            expiry === undefined
              ? undefined
              : {
                  days: expiry.days,
                  caCertificatePem: expiry.caCertificate,
                  caPrivateKey: privateKeyOf(expiry.caPrivateKey, 'CA private key'),
                  csrPem: expiry.csr,
                  subject: expiry.subject,
                  caSource: 'CA certificate',
                },
        };
  if (expiry !== undefined && signing === undefined) {
    throw new HpvsError('ARGUMENT_INVALID', 'contract expiry needs a signing key');
  }
  const prefix =
    options.prefix ??
    (options.platform === undefined ? undefined : PLATFORMS[options.platform].tokenPrefix);
  return { encryption, signing, platform: options.platform, prefix };
}

export type { BatchContract as BatchedContract, BatchResult as ContractBatch };

/** One instance of {@link createContractBatch}: what its contract changes in the base env. */
export interface ContractBatchInstance {
  /** Names the instance's contract (a file name: letters, digits, `.`, `_`, `-`; unique). */
  name: string;
  /** Environment variables merged into the env section's `env`. */
  env?: Readonly<Record<string, string>> | undefined;
  /** The instance's env volume seed, put in the env section's only volume. */
  seed?: string | undefined;
}

/** Options of {@link createContractBatch}: one contract's options and the instances. */
export interface CreateContractBatchOptions extends CreateContractOptions {
  instances: readonly ContractBatchInstance[];
  /**
   * The calling thread and `threads - 1` worker threads (all cores by default). Worker threads
   * draw the system's randomness: with `random` given, the batch runs on the calling thread.
   */
  threads?: number | undefined;
  /** Called as each contract is done. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * One signed, encrypted contract per instance (`hpvs-ctl contract --batch`): the workload is
 * encrypted once and shared, each instance gets a copy of the base env with its environment
 * variables and seed, built on all cores. The checks of {@link createContract} run once (the
 * first instance's env) and each instance's env section is validated; all or nothing, the
 * first failing instance (in order) throws. Nothing is written: the caller stores each
 * `contracts[i].text` (0600 where `plaintextSections` is not empty).
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 * import { createContractBatch } from 'hpvs-ctl';
 * const { contracts, warnings } = await createContractBatch({
 *   workload: readFileSync('workload.yaml', 'utf8'),
 *   env: readFileSync('env.yaml', 'utf8'),
 *   encryptionCertificate: readFileSync('encrypt.crt', 'utf8'),
 *   signingKey: readFileSync('signing.key', 'utf8'),
 *   instances: [
 *     { name: 'web-1', env: { REGION: 'eu-de' }, seed: readFileSync('web-1.seed', 'utf8').trim() },
 *     { name: 'web-2', env: { REGION: 'us-south' } },
 *   ],
 * });
 * for (const { name, text } of contracts) writeFileSync(`${name}.yaml`, text, { mode: 0o600 });
 * ```
 */
export async function createContractBatch(
  options: CreateContractBatchOptions,
): Promise<BatchResult> {
  const seen = new Map<string, string>();
  const jobs = options.instances.map((instance, index) => {
    const at = `instances[${index}]`;
    const problem = instanceNameProblem(instance.name, seen);
    if (problem !== undefined) throw new HpvsError('ARGUMENT_INVALID', `${at}.name: ${problem}`);
    seen.set(instance.name.toLowerCase(), at);
    return { index, name: instance.name, at, env: { ...instance.env }, seed: instance.seed };
  });
  return createBatchOfContracts(jobs, contractOptions(options), {
    ...(options.random === undefined
      ? options.threads === undefined
        ? {}
        : { threads: options.threads }
      : { threads: 1 }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

export type { SignedUserData };

/**
 * Signs a contract: sets or replaces `envWorkloadSignature` (RSA PKCS#1 v1.5, SHA-256 over the
 * workload value followed by the env value), leaving every other byte (`hpvs-ctl sign`).
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 * import { signContract } from 'hpvs-ctl';
 * const signed = signContract(readFileSync('user-data.yaml', 'utf8'), readFileSync('signing.key'));
 * writeFileSync('user-data.yaml', signed.text);
 * ```
 */
export function signContract(
  userData: TextInput,
  signingKey: KeyInput,
  options: { source?: string | undefined; passphrase?: string | Uint8Array | undefined } = {},
): SignedUserData {
  return signUserData(
    textOf(userData),
    options.source ?? 'user-data.yaml',
    privateKeyOf(signingKey, 'signing key', options.passphrase),
  );
}

export type {
  ContractVerification,
  SigningCertificateInfo,
} from './core/contract/verify-contract.js';

/** Options of {@link verifyContract}. */
export interface VerifyContractOptions {
  /** The key (or certificate) to check against; else env.signingKey is used. */
  signingKey?: KeyInput | undefined;
  /** The runtime's private key, to read env.signingKey from an encrypted env. */
  decryptKey?: KeyInput | undefined;
  source?: string | undefined;
  /** For the expiry of a certificate signing key. */
  now?: Date | undefined;
  random?: RandomSource | undefined;
}

/**
 * Checks `envWorkloadSignature` with the given key or env.signingKey, and a certificate signing
 * key's validity (the contract's expiry). `ok` is the verdict; a contract without a signature
 * throws `VERIFICATION_FAILED`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { verifyContract } from 'hpvs-ctl';
 * const verdict = verifyContract(readFileSync('user-data.yaml', 'utf8'), {
 *   signingKey: readFileSync('signing.pub', 'utf8'),
 * });
 * if (!verdict.ok) throw new Error('the contract signature does not verify');
 * ```
 */
export function verifyContract(
  userData: TextInput,
  options: VerifyContractOptions = {},
): ContractVerification {
  const source = options.source ?? 'user-data.yaml';
  return verifyParsedContract(parseUserDataText(textOf(userData), source), {
    signingKey:
      options.signingKey === undefined
        ? undefined
        : publicKeyMaterial(options.signingKey, 'signing key'),
    decryptKey:
      options.decryptKey === undefined
        ? undefined
        : privateKeyOf(options.decryptKey, 'decrypt key'),
    random: options.random ?? systemRandom,
    now: options.now ?? new Date(),
  });
}

// ----------------------------------------------------------------------------------------------
// Certificates and attestation (the auditor)

export type { VerificationCheck } from './core/pki/verification-check.js';
export type { CertificateSummary, ChainVerification } from './core/pki/verify-chain.js';
export type { CheckedCertificate };

/** A PEM or DER file's content, optionally with the name messages call it by. */
export type FileInput = TextInput | { bytes: TextInput; source: string };

function sourcedFile(input: FileInput, what: string): { bytes: Uint8Array; source: string } {
  return typeof input === 'object' && !(input instanceof Uint8Array)
    ? { bytes: bytesOf(input.bytes), source: input.source }
    : { bytes: bytesOf(input), source: what };
}

function sourcedFiles(inputs: readonly FileInput[] | undefined, what: string) {
  return (inputs ?? []).map((input, index) => sourcedFile(input, `${what} ${index + 1}`));
}

/** Options of {@link verifyCertificateChain}. */
export interface CertificateChainOptions {
  /** The certificate to check (PEM or DER), alone. */
  certificate: FileInput;
  /** Intermediate CA certificates (PEM bundles or DER). */
  chain?: readonly FileInput[] | undefined;
  /** Trust anchors: self-signed roots (any given root with `partialChain`). */
  roots?: readonly FileInput[] | undefined;
  /** A current CRL of each CA along the path; missing ones fail unless `allowMissingCrl`. */
  crls?: readonly FileInput[] | undefined;
  allowMissingCrl?: boolean | undefined;
  partialChain?: boolean | undefined;
  /** How messages call the certificate: "attestation certificate", "encryption certificate". */
  role?: string | undefined;
  /** When to check validity and CRLs (`--at`); the current time by default. */
  now?: Date | undefined;
}

/**
 * Verifies a certificate's chain to a trust anchor (built by issuer name and verified
 * signature), the validity of every certificate on it, and revocation by each CA's CRL, and
 * says why for each: `chain.checks` holds the `chain`, `validity` and `crl` verdicts, `chain.ok`
 * the overall one. It never changes @peculiar/x509's global crypto provider, nor uses it.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { verifyCertificateChain } from 'hpvs-ctl';
 * const { chain } = await verifyCertificateChain({
 *   certificate: readFileSync('encrypt.crt'),
 *   chain: [readFileSync('intermediate.crt')],
 *   roots: [readFileSync('root.crt')],
 *   crls: [readFileSync('intermediate.crl'), readFileSync('root.crl')],
 * });
 * for (const check of chain.checks) console.log(check.status, check.id, check.detail);
 * ```
 */
export async function verifyCertificateChain(
  options: CertificateChainOptions,
): Promise<CheckedCertificate> {
  const role = options.role ?? 'certificate';
  return checkCertificate({
    certificate: sourcedFile(options.certificate, role),
    chain: sourcedFiles(options.chain, 'chain certificate'),
    roots: sourcedFiles(options.roots, 'root certificate'),
    crls: sourcedFiles(options.crls, 'CRL'),
    at: options.now ?? new Date(),
    allowMissingCrl: options.allowMissingCrl ?? false,
    partialChain: options.partialChain ?? false,
    role,
  });
}

export type { AttestationReport };
export type { AttestationRecord, RecordHash, RecordLine } from './core/attestation/record.js';

/** Options of {@link verifyAttestationRecord}. */
export interface AttestationOptions {
  /** `se-checksums.txt`, or `se-checksums.txt.enc` (then `auditorKey` is needed). */
  record: FileInput;
  /** `se-signature.bin`. */
  signature: FileInput;
  /** The attestation certificate, with its chain and CRLs as for {@link verifyCertificateChain}. */
  certificate: FileInput;
  chain?: readonly FileInput[] | undefined;
  roots?: readonly FileInput[] | undefined;
  crls?: readonly FileInput[] | undefined;
  allowMissingCrl?: boolean | undefined;
  partialChain?: boolean | undefined;
  /** The auditor's private key, for an encrypted record. */
  auditorKey?: KeyInput | undefined;
  auditorKeyPassphrase?: string | Uint8Array | undefined;
  /** The user-data the auditor expects the instance to run: compared with the record. */
  contract?: FileInput | undefined;
  /** IBM's reference values (`<sha256> <name>` lines), compared with the record. */
  reference?: FileInput | undefined;
  /** When to check the certificate's validity and CRLs (`--at`); the current time by default. */
  now?: Date | undefined;
  random?: RandomSource | undefined;
}

/** The auditor's private key and reference values of an attestation check, read from `options`. */
function auditorInputs(
  options: Pick<AttestationOptions, 'auditorKey' | 'auditorKeyPassphrase' | 'reference'>,
) {
  const reference =
    options.reference === undefined ? undefined : sourcedFile(options.reference, 'reference');
  return {
    auditorKey:
      options.auditorKey === undefined
        ? undefined
        : privateKeyOf(options.auditorKey, 'auditor key', options.auditorKeyPassphrase),
    reference:
      reference === undefined
        ? undefined
        : {
            values: parseReferenceValues(reference.bytes, reference.source),
            source: reference.source,
          },
  };
}

/**
 * The auditor's verdict on an attestation record (`hpvs-ctl attestation verify`): decrypts it
 * if encrypted, checks its signature with the attestation certificate, the certificate's chain,
 * validity and CRLs, and compares it with the contract and reference values given. `checks`
 * lists every verdict with its reason; `ok` is false when any failed.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { verifyAttestationRecord } from 'hpvs-ctl';
 * const report = await verifyAttestationRecord({
 *   record: readFileSync('se-checksums.txt.enc'),
 *   signature: readFileSync('se-signature.bin'),
 *   certificate: readFileSync('attestation.crt'),
 *   chain: [readFileSync('intermediate.crt')],
 *   roots: [readFileSync('root.crt')],
 *   crls: [readFileSync('intermediate.crl'), readFileSync('root.crl')],
 *   auditorKey: readFileSync('auditor.key'),
 *   contract: readFileSync('user-data.yaml'),
 * });
 * console.log(report.ok, report.checks);
 * ```
 */
export async function verifyAttestationRecord(
  options: AttestationOptions,
): Promise<AttestationReport> {
  const checked = await verifyCertificateChain({ ...options, role: 'attestation certificate' });
  return verifyAttestation(
    { publicKey: checked.publicKey, source: checked.source, checks: checked.chain.checks },
    {
      record: sourcedFile(options.record, 'attestation record'),
      signature: sourcedFile(options.signature, 'signature'),
      contract:
        options.contract === undefined ? undefined : sourcedFile(options.contract, 'contract'),
    },
    { ...auditorInputs(options), random: options.random ?? systemRandom },
  );
}

/**
 * Opens an encrypted attestation record (`se-checksums.txt.enc`) with the auditor's private key
 * and returns the record's exact bytes (`hpvs-ctl attestation decrypt`). A record that is
 * already plaintext is returned as it is.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decryptAttestationRecord } from 'hpvs-ctl';
 * const record = decryptAttestationRecord(readFileSync('se-checksums.txt.enc'), readFileSync('auditor.key'));
 * console.log(record.toString('utf8'));
 * ```
 */
export function decryptAttestationRecord(
  record: TextInput,
  auditorKey: KeyInput,
  options: { passphrase?: string | Uint8Array | undefined; random?: RandomSource | undefined } = {},
): Buffer {
  return openRecord(
    { bytes: bytesOf(record), source: 'attestation record' },
    privateKeyOf(auditorKey, 'auditor key', options.passphrase),
    options.random ?? systemRandom,
  ).bytes;
}

export type { BundleResult as AttestationBundleResult };

/** One instance's bundle for {@link verifyAttestationBatch}, as an auditor collects it. */
export interface AttestationBundle {
  /** Names the bundle in the results (its folder, its instance). */
  name: string;
  /** `se-checksums.txt`, or `se-checksums.txt.enc` (then `auditorKey` is needed). */
  record: FileInput;
  /** `se-signature.bin`. */
  signature: FileInput;
  /** The user-data.yaml the bundle carries, compared with the record (and with `contract`). */
  contract?: FileInput | undefined;
}

/** Options of {@link verifyAttestationBatch}: those of {@link verifyAttestationRecord} per bundle. */
export interface AttestationBatchOptions extends Omit<AttestationOptions, 'record' | 'signature'> {
  bundles: readonly AttestationBundle[];
  /**
   * Worker threads for the records (all cores by default). Worker threads draw the system's
   * randomness: with `random` given, the records are verified on the calling thread.
   */
  threads?: number | undefined;
}

/** What {@link verifyAttestationBatch} found. */
export interface AttestationBatchReport {
  /** Every bundle passed (its record checks and the certificate's chain). */
  ok: boolean;
  /** One result per bundle, in the order given: its checks, the record's summary or its error. */
  results: BundleResult[];
  /** The attestation certificate's chain, validity and CRL checks (also in each result). */
  chainChecks: readonly VerificationCheck[];
}

/**
 * Verifies the records of a fleet of one image (`hpvs-ctl attestation verify --batch`): the
 * attestation certificate's chain is checked once while the records (decryption with the
 * auditor's key, signature, contract and reference values) are verified on all cores. A bundle
 * that cannot be read or verified fails alone, with its error; a bad certificate or chain
 * throws.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { verifyAttestationBatch } from 'hpvs-ctl';
 * const report = await verifyAttestationBatch({
 *   bundles: ['web-1', 'web-2'].map((name) => ({
 *     name,
 *     record: readFileSync(`${name}/se-checksums.txt.enc`),
 *     signature: readFileSync(`${name}/se-signature.bin`),
 *   })),
 *   certificate: readFileSync('attestation.crt'),
 *   chain: [readFileSync('intermediate.crt')],
 *   roots: [readFileSync('root.crt')],
 *   crls: [readFileSync('intermediate.crl'), readFileSync('root.crl')],
 *   auditorKey: readFileSync('auditor.key'),
 *   contract: readFileSync('user-data.yaml'),
 * });
 * for (const result of report.results) console.log(result.name, result.ok);
 * ```
 */
export async function verifyAttestationBatch(
  options: AttestationBatchOptions,
): Promise<AttestationBatchReport> {
  const certificate = sourcedFile(options.certificate, 'attestation certificate');
  const checked = verifyCertificateChain({ ...options, role: 'attestation certificate' });
  // awaited below: marked handled now, so an early failure is not an unhandled rejection
  checked.catch(() => undefined);
  const publicKey = certificatePublicKey(certificate.bytes) ?? (await checked).publicKey;
  const contract =
    options.contract === undefined ? undefined : sourcedFile(options.contract, 'contract');
  const chainChecks = checked.then((result) => result.chain.checks);
  chainChecks.catch(() => undefined);
  const results = await verifyBatch(
    options.bundles.map((bundle) => ({
      name: bundle.name,
      files: {
        record: sourcedFile(bundle.record, `${bundle.name}: attestation record`),
        signature: sourcedFile(bundle.signature, `${bundle.name}: signature`),
        contract,
        bundleContract:
          bundle.contract === undefined
            ? undefined
            : sourcedFile(bundle.contract, `${bundle.name}: user-data.yaml`),
      },
    })),
    {
      certificate: { publicKey, source: certificate.source },
      options: {
        ...auditorInputs(options),
        ...(options.random === undefined ? {} : { random: options.random }),
      },
    },
    chainChecks,
    options.random === undefined ? options.threads : 1,
  );
  return {
    ok: results.every((result) => result.ok),
    results,
    chainChecks: await chainChecks,
  };
}

// ----------------------------------------------------------------------------------------------
// Keys and certificates to make (the deployer, the auditor)

/** An RSA key pair as PEM: PKCS#8 private key (encrypted with a passphrase if given), SPKI public key. */
export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * A fresh RSA key pair for contract signing (the deployer) or for attestation records (the
 * auditor's `attestationPublicKey`), as `hpvs-ctl keys generate` writes it.
 *
 * @example
 * ```ts
 * import { generateKeyPair } from 'hpvs-ctl';
 * const auditor = await generateKeyPair({ bits: 4096, passphrase: 'keep this elsewhere' });
 * // auditor.publicKeyPem goes into the contract as attestationPublicKey
 * ```
 */
export async function generateKeyPair(
  options: {
    bits?: 2048 | 3072 | 4096 | undefined;
    passphrase?: string | Uint8Array | undefined;
  } = {},
): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateRsaKeyPair(options.bits ?? 4096);
  const passphrase =
    typeof options.passphrase === 'string'
      ? Buffer.from(options.passphrase, 'utf8')
      : options.passphrase;
  return {
    privateKeyPem: exportPrivateKeyPem(privateKey, passphrase),
    publicKeyPem: exportPublicKeyPem(publicKey),
  };
}

export type { SyslogCertificates };

/**
 * The TLS material for logging to your own rsyslog with mutual TLS (`hpvs-ctl certs syslog`):
 * a CA, the server pair for rsyslog and the client pair for `env.logging.syslog`, for a DNS name
 * or an IP address of the server.
 *
 * @example
 * ```ts
 * import { buildEnvSection, createSyslogCertificates } from 'hpvs-ctl';
 * const tls = await createSyslogCertificates({ hostname: 'logs.example.com' });
 * const env = buildEnvSection({
 *   logging: {
 *     syslog: {
 *       hostname: 'logs.example.com',
 *       server: tls.caCertificatePem,
 *       cert: tls.clientCertificatePem,
 *       key: tls.clientPrivateKeyPem,
 *     },
 *   },
 * });
 * ```
 */
export async function createSyslogCertificates(options: {
  hostname?: string | undefined;
  ip?: string | undefined;
  /** Validity of the server and client certificates in days (365 by default). */
  days?: number | undefined;
  /** Validity of the CA in days (3650 by default). */
  caDays?: number | undefined;
  bits?: 2048 | 3072 | 4096 | undefined;
  now?: Date | undefined;
}): Promise<SyslogCertificates> {
  return createSyslogCertificatesAt({
    hostname: options.hostname,
    ip: options.ip,
    now: options.now ?? new Date(),
    ...(options.days === undefined ? {} : { days: options.days }),
    ...(options.caDays === undefined ? {} : { caDays: options.caDays }),
    ...(options.bits === undefined ? {} : { bits: options.bits }),
  });
}

export type { ImageChoice, ImageSelection, SkippedImage } from './core/image/select-image.js';

/**
 * The HPCR image to boot from an IBM Cloud VPC image list (`ibmcloud is images --output json`,
 * as text or parsed): the highest version matching `version` (a version or semver range),
 * deprecated images only if asked (`hpvs-ctl image`).
 *
 * @example
 * ```ts
 * import { selectImage } from 'hpvs-ctl';
 * const { image, warnings } = selectImage(imagesJson, { version: '^1.1' });
 * console.log(image.id, image.version);
 * ```
 */
export function selectImage(
  images: string | readonly unknown[],
  options: {
    version?: string | undefined;
    includeDeprecated?: boolean | undefined;
    source?: string | undefined;
  } = {},
): ImageSelection {
  const source = options.source ?? 'image list';
  return selectImageFromList(typeof images === 'string' ? parseImageList(source, images) : images, {
    version: options.version,
    includeDeprecated: options.includeDeprecated,
    source,
  });
}

/**
 * Validates a network-config file (on-prem KVM cloud-init network config, version 2) and
 * returns its problems as {@link validateUserData} does.
 *
 * @example
 * ```ts
 * import { validateNetworkConfig } from 'hpvs-ctl';
 * const report = validateNetworkConfig(networkConfigYaml, { source: 'network-config' });
 * console.log(report.valid);
 * ```
 */
export function validateNetworkConfig(
  text: TextInput,
  options: { source?: string | undefined } = {},
): ValidationReport {
  return validateNetworkConfigText(textOf(text), options.source ?? 'network-config');
}

// ----------------------------------------------------------------------------------------------
// Confidential containers (ccco)

export type { BuiltInitdata, DecodedInitdata, GeneratedPolicy, SealedType };

/**
 * Wraps a contract as Kata initdata (TOML, gzip, base64: the pod annotation's value), like
 * `hpvs-ctl initdata build`. The contract's workload and env must be tokens unless
 * `allowPlaintext` (the annotation is readable by anyone who can read the pod); a Secure
 * Execution header (bare metal) adds IBM's `boot` key.
 *
 * @example
 * ```ts
 * import { buildInitdata } from 'hpvs-ctl';
 * const { value, initdataSha256 } = buildInitdata(contractText);
 * // metadata.annotations['io.katacontainers.config.runtime.cc_init_data'] = value
 * ```
 */
export function buildInitdata(
  contract: TextInput,
  options: {
    seHeader?: Uint8Array | undefined;
    allowPlaintext?: boolean | undefined;
    source?: string | undefined;
  } = {},
): BuiltInitdata {
  const text = textOf(contract);
  checkInitdataContract(text, options.source ?? 'contract', {
    allowPlaintext: options.allowPlaintext === true,
    withHeader: options.seHeader !== undefined,
  });
  return buildInitdataValue(text, options.seHeader);
}

/**
 * Reads initdata back: from the annotation value, or from a Pod/workload/ConfigMap manifest
 * carrying it (`hpvs-ctl initdata inspect`). `contract` is the contract as it was signed.
 *
 * @example
 * ```ts
 * import { decodeInitdata } from 'hpvs-ctl';
 * const { contract } = decodeInitdata(podYaml, { source: 'pod.yaml' });
 * ```
 */
export function decodeInitdata(
  initdataOrManifest: TextInput,
  options: { source?: string | undefined } = {},
): DecodedInitdata {
  const source = options.source ?? 'initdata';
  return decodeInitdataValue(findInitdata(textOf(initdataOrManifest), source), source);
}

/**
 * The Kata agent policy (Rego) that admits exactly the containers of a pod or workload manifest
 * (`hpvs-ctl policy generate`), from hpvs-ctl's default template or yours.
 *
 * @example
 * ```ts
 * import { generateAgentPolicy } from 'hpvs-ctl';
 * const { policy, warnings } = generateAgentPolicy(deploymentYaml, { source: 'deployment.yaml' });
 * ```
 */
export function generateAgentPolicy(
  manifest: TextInput,
  options: { template?: string | undefined; source?: string | undefined } = {},
): GeneratedPolicy {
  return generatePolicy(
    planContainers(textOf(manifest), options.source ?? 'manifest'),
    options.template ?? DEFAULT_AGENT_POLICY_TEMPLATE,
    options.template === undefined ? 'template' : 'your template',
  );
}

/**
 * Seals a secret for a pod's `env` (`hpvs-ctl secrets seal`): JWS RS512 over AES-256-GCM,
 * for the section (`workload` or `env`) whose keys open it.
 *
 * @example
 * ```ts
 * import { sealSecret } from 'hpvs-ctl';
 * const sealed = sealSecret('db-password', {
 *   type: 'env',
 *   encryptionKey: sealEncryptionPublicPem,
 *   signingKey: sealSigningPrivatePem,
 * });
 * ```
 */
export function sealSecret(
  secret: TextInput,
  options: {
    type: SealedType;
    /** The public key whose private half is the section's `decryptionKey`. */
    encryptionKey: KeyInput;
    /** The private key whose public half is the section's `verificationKey`. */
    signingKey: KeyInput;
    random?: RandomSource | undefined;
  },
): string {
  return sealSecretValue({
    secret: bytesOf(secret),
    type: options.type,
    encryptionKey: publicKeyMaterial(options.encryptionKey, 'encryption key').publicKey,
    signingKey: privateKeyOf(options.signingKey, 'signing key'),
    random: options.random ?? systemRandom,
  });
}

/**
 * Verifies and opens a sealed secret with the section's keys (`hpvs-ctl secrets unseal`). Any
 * failure is the one `DECRYPTION_FAILED`.
 *
 * @example
 * ```ts
 * import { unsealSecret } from 'hpvs-ctl';
 * const secret = unsealSecret(sealed, { verificationKey, decryptionKey, type: 'env' });
 * ```
 */
export function unsealSecret(
  sealed: string,
  options: { verificationKey: KeyInput; decryptionKey: KeyInput; type?: SealedType | undefined },
): Buffer {
  return unsealSecretValue(sealed, {
    verificationKey: publicKeyMaterial(options.verificationKey, 'verification key').publicKey,
    decryptionKey: privateKeyOf(options.decryptionKey, 'decryption key'),
    ...(options.type === undefined ? {} : { type: options.type }),
  });
}

// ----------------------------------------------------------------------------------------------
// On-prem seed images (NoCloud cidata)

export type { Cidata };

/** Options of {@link buildCidata}. */
export interface BuildCidataOptions {
  /** The contract (user-data.yaml); validated by the platform's schema first. */
  userData: FileInput;
  /** cloud-init network-config, validated as `validateNetworkConfig` does. */
  networkConfig?: FileInput | undefined;
  /** cloud-init meta-data (a YAML mapping); without it, `instance-id: iid-hpvs-<sha256 prefix>`. */
  metaData?: FileInput | undefined;
  /** The runtime whose schema checks the user data; hpvs's by default. */
  platform?: PlatformName | undefined;
  /** Every file date in the image, seconds since 1970: `SOURCE_DATE_EPOCH`, else 0, by default. */
  epoch?: number | undefined;
  /** Decides certificate expiry in the validation; the current time by default. */
  now?: Date | undefined;
}

/**
 * Builds the NoCloud seed image on-prem KVM and LinuxONE runtimes boot with (`hpvs-ctl
 * cidata`): an ISO 9660 image (Joliet and Rock Ridge, volume id `cidata`) made with `xorriso`
 * (`TOOL_MISSING` without it), holding user-data, meta-data and network-config, after the user
 * data and network-config are validated (the first error throws `CONTRACT_INVALID` or
 * `NETWORK_CONFIG_INVALID`). The same inputs and epoch give the same bytes. The image may hold
 * plaintext secrets when `plaintextSections` is true: store it 0600.
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 * import { buildCidata } from 'hpvs-ctl';
 * const { image, warnings } = await buildCidata({ userData: readFileSync('user-data.yaml') });
 * writeFileSync('cloudinit.iso', image, { mode: 0o600 });
 * ```
 */
export async function buildCidata(options: BuildCidataOptions): Promise<Cidata> {
  const sourced = (input: FileInput | undefined, what: string) =>
    input === undefined ? undefined : sourcedFile(input, what);
  return buildSeedImageFiles({
    userData: sourcedFile(options.userData, 'user-data'),
    networkConfig: sourced(options.networkConfig, 'network-config'),
    metaData: sourced(options.metaData, 'meta-data'),
    platform: options.platform,
    epoch: options.epoch ?? seedImageEpoch(),
    now: options.now ?? new Date(),
  });
}

// ----------------------------------------------------------------------------------------------
// The emulator

export type { BootResult };
export type { ConsoleLine } from './emulator/boot-console.js';
export type { SyslogSeverity } from './emulator/syslog-format.js';
export type {
  ContainerResult,
  ContainerRuntime,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
  ContractVolume,
  RunningWorkload,
} from './emulator/runtimes/container-runtime.js';

/** Options of {@link createEmulator}. */
export interface CreateEmulatorOptions {
  /** The folder for the emulator state (public material, 0600 private keys). */
  stateDir: string;
  /** The image version the attestation record reports. */
  imageVersion?: string | undefined;
  /** RSA size of the four keys: 4096 like IBM's; smaller only to speed up tests. */
  keyBits?: 2048 | 3072 | 4096 | undefined;
  /** The runtime to emulate: its schema and token prefix apply at boot. */
  platform?: PlatformName | undefined;
  /** Replace an existing state. */
  force?: boolean | undefined;
  now?: Date | undefined;
}

/** Where {@link createEmulator} put the public material. */
export interface EmulatorPaths {
  encryptionCertificate: string;
  attestationCertificate: string;
  intermediateCertificate: string;
  rootCertificate: string;
  intermediateCrl: string;
  rootCrl: string;
  reference: string;
}

/**
 * Creates an emulated runtime's identity in `stateDir` (`hpvs-ctl emulator init`): root and
 * intermediate CA, encryption and attestation certificates, a CRL per CA, reference values.
 * Encrypt contracts for `encryptionCertificate`, then {@link bootEmulator} them.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createEmulator, encryptSection } from 'hpvs-ctl';
 * const paths = await createEmulator({ stateDir: './hpcr', keyBits: 2048 });
 * const token = encryptSection(workloadYaml, {
 *   certificate: readFileSync(paths.encryptionCertificate, 'utf8'),
 * });
 * ```
 */
export async function createEmulator(options: CreateEmulatorOptions): Promise<EmulatorPaths> {
  const identity = await createEmulatorIdentity({
    imageVersion: options.imageVersion ?? '25.11.0-emulator',
    now: options.now ?? new Date(),
    keyBits: options.keyBits ?? 4096,
  });
  await writeEmulatorState(options.stateDir, identity, {
    force: options.force === true,
    platform: options.platform,
  });
  const path = (name: keyof typeof PUBLIC_FILES) =>
    `${options.stateDir}/public/${PUBLIC_FILES[name]}`;
  return {
    encryptionCertificate: path('encryption'),
    attestationCertificate: path('attestation'),
    intermediateCertificate: path('intermediate'),
    rootCertificate: path('root'),
    intermediateCrl: path('intermediateCrl'),
    rootCrl: path('rootCrl'),
    reference: path('reference'),
  };
}

/** Options of {@link bootEmulator}. */
export interface BootEmulatorOptions {
  /** The emulator state {@link createEmulator} made. */
  stateDir: string;
  /** The contract to boot. */
  userData: TextInput;
  /** Names the contract in messages. */
  source?: string | undefined;
  /** The instance file system root; `stateDir/instance` by default. */
  outDir?: string | undefined;
  /** `plan` (default: plans the containers, runs nothing), `podman`, or your own runtime. */
  runtime?: 'plan' | 'podman' | ContainerRuntime | undefined;
  /** LUKS2 image files for the contract's volumes, by volume name. */
  volumeImages?: Readonly<Record<string, string>> | undefined;
  /** Format new volumes with a cheap KDF: for tests only. */
  fastKdf?: boolean | undefined;
  /** podman: leave the workload running when the boot ends. */
  keepRunning?: boolean | undefined;
  /** Aborting stops the boot and removes what it started. */
  stop?: AbortSignal | undefined;
  /** Receives each console line (`service[pid]: HPLnnnnnX: text`); none printed by default. */
  print?: ((line: string) => void) | undefined;
  /** The clock, read at each step (a boot takes a while); the current time by default. */
  now?: (() => Date) | undefined;
  random?: RandomSource | undefined;
}

/**
 * Boots a contract on the emulated runtime the way HPCR does (`hpvs-ctl emulator boot`):
 * bootloader, logging, contract validation, signature and expiry, volumes, attestation,
 * containers. `ok` is true at HPL10001I; the console lines are returned and passed to `print`.
 *
 * @example
 * ```ts
 * import { bootEmulator } from 'hpvs-ctl';
 * const result = await bootEmulator({ stateDir: './hpcr', userData: contractText, print: console.log });
 * if (!result.ok) console.error(`failed in ${result.failedService}`);
 * ```
 */
export async function bootEmulator(options: BootEmulatorOptions): Promise<BootResult> {
  const state = await loadEmulatorState(options.stateDir);
  const runtime =
    options.runtime === undefined || typeof options.runtime === 'string'
      ? await selectRuntime(options.runtime ?? 'plan')
      : options.runtime;
  return bootContract({
    state,
    source: options.source ?? 'user-data.yaml',
    userData: Buffer.from(bytesOf(options.userData)),
    outDir: options.outDir ?? `${options.stateDir}/instance`,
    volumeImages: { byName: new Map(Object.entries(options.volumeImages ?? {})) },
    fastKdf: options.fastKdf === true,
    runtime,
    keepRunning: options.keepRunning === true,
    ...(options.stop === undefined ? {} : { stop: options.stop }),
    print: options.print ?? (() => undefined),
    ...(options.now === undefined ? {} : { now: options.now }),
    random: options.random ?? systemRandom,
  });
}

export type { RemovedParts };

/**
 * Ends the workload a podman boot with `keepRunning` left running (`hpvs-ctl emulator stop`):
 * stops and removes the containers, pods and volumes labelled for that instance folder (the
 * boot's `outDir`, `stateDir/instance` by default), and nothing else, with the containers.conf
 * that boot recorded. Returns how many of each it removed; `TOOL_MISSING` without podman.
 *
 * @example
 * ```ts
 * import { bootEmulator, stopEmulator } from 'hpvs-ctl';
 * await bootEmulator({ stateDir: './hpcr', userData, runtime: 'podman', keepRunning: true });
 * // ... test the running workload ...
 * const removed = await stopEmulator({ instanceDir: './hpcr/instance' });
 * console.log(`${removed.containers} container(s) removed`);
 * ```
 */
export async function stopEmulator(options: { instanceDir: string }): Promise<RemovedParts> {
  return stopPodmanInstance(options.instanceDir);
}

/** Options of {@link startLogServer}. */
export interface LogServerOptions {
  /** The address to listen on; 127.0.0.1 by default. */
  host?: string | undefined;
  /** The port; 0 (the default) picks a free one, which `port` of the result tells. */
  port?: number | undefined;
  /** The CA (PEM) whose client certificates are accepted; no other client gets in. */
  ca: TextInput;
  /** The server's certificate and private key (PEM). */
  certificate: TextInput;
  privateKey: TextInput;
  /** Each syslog message received (the RFC 5424 text, without framing), and its sender. */
  onMessage: (message: string, peer: string) => void;
  /** Connections, refusals and dropped clients, for the operator. */
  onEvent?: ((event: string) => void) | undefined;
  /** When the CA certificate must be valid; the current time by default. */
  now?: Date | undefined;
}

/** A listening log server; `close` stops it. */
export interface RunningLogServer {
  host: string;
  port: number;
  /**
   * Stops accepting, lets open connections finish their frames, then closes them (a client
   * that does not close within two seconds is cut off).
   */
  close(): Promise<void>;
}

/**
 * Starts the emulator's syslog receiver (`hpvs-ctl emulator log-server`): TLS with client
 * certificates issued by `ca` only (rsyslog's x509/certvalid, what a contract's syslog logging
 * connects with), octet-counted or LF-framed messages. An expired or not yet valid CA is
 * refused (`CERT_EXPIRED`, `CERT_NOT_YET_VALID`), a port in use is `LOGGING_FAILED`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { startLogServer } from 'hpvs-ctl';
 * const server = await startLogServer({
 *   ca: readFileSync('tls/ca.crt'),
 *   certificate: readFileSync('tls/server.crt'),
 *   privateKey: readFileSync('tls/server-key.pem'),
 *   onMessage: (message) => console.log(message),
 * });
 * console.log(`listening on ${server.host}:${server.port}`);
 * await server.close();
 * ```
 */
export async function startLogServer(options: LogServerOptions): Promise<RunningLogServer> {
  const server = await LogServer.start({
    ...(options.host === undefined ? {} : { host: options.host }),
    port: options.port ?? 0,
    caPem: textOf(options.ca),
    caSource: 'CA certificate',
    certPem: textOf(options.certificate),
    keyPem: textOf(options.privateKey),
    onMessage: options.onMessage,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { host: server.host, port: server.port, close: () => server.close() };
}
