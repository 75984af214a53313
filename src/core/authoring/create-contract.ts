import type { Notice } from '../wording.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { assertCertificateCurrent, type PublicKeyMaterial } from '../crypto/keys.js';
import type { RandomSource } from '../crypto/random-source.js';
import type { SectionKeySource } from '../crypto/section-key.js';
import type { TokenPrefix } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import type { PlatformName } from '../platforms/platforms.js';
import { problemWording, type ContractProblem } from '../schema/problems.js';
import { validateUserData } from '../schema/validate-contract.js';
import {
  assembleContract,
  type SectionInput,
  type SectionStyle,
} from '../contract/assemble-contract.js';
import {
  parseSectionText,
  type ContractSection,
  type ParsedUserData,
} from '../contract/user-data.js';

export interface ContractExpiryInput {
  days: number;
  caCertificatePem: string;
  caPrivateKey: KeyObject;
  csrPem?: string | undefined;
  subject?: string | undefined;
  caSource?: string | undefined;
}

/** Everything one contract needs, already read from files: see `hpvs-ctl contract`. */
export interface CreateContractOptions {
  workload: SectionInput;
  env: SectionInput;
  attestationPublicKey?: SectionInput | undefined;
  /** The HPCR encryption certificate (or public key) to encrypt plaintext sections for. */
  encryption?:
    { material: PublicKeyMaterial; source: string; allowExpired?: boolean | undefined } | undefined;
  /** Sign with this key; with `expiry`, signingKey is a certificate from the deployer's CA. */
  signing?: { privateKey: KeyObject; expiry?: ContractExpiryInput | undefined } | undefined;
  /** The runtime whose schema checks the sections (hpvs's 1.0.116 when absent). */
  platform?: PlatformName | undefined;
  prefix?: TokenPrefix | undefined;
  /** How plaintext sections are written (IBM's `|` block string by default). */
  sectionStyle?: SectionStyle | undefined;
  now: Date;
  random: RandomSource;
  /**
   * Keys for the sections to encrypt, one per section (derived from `random` when absent); a
   * promise when they are still being derived elsewhere, awaited only after the checks.
   */
  sectionKeys?: SectionKeySource | Promise<SectionKeySource | undefined> | undefined;
}

export interface CreatedContract {
  /** The user-data.yaml text. */
  text: string;
  /** The issued signing certificate (PEM) when contract expiry was asked for. */
  signingCertificate?: string;
  /** Validation warnings and notes about the plaintext sections. */
  problems: ContractProblem[];
  /** Sections written in plaintext; they may hold seeds and keys. */
  plaintextSections: string[];
  warnings: Notice[];
}

/**
 * Validates the plaintext sections, issues the expiry certificate if asked, then assembles,
 * encrypts and signs one contract. The single-contract core of `hpvs-ctl contract`.
 */
export async function createContract(options: CreateContractOptions): Promise<CreatedContract> {
  const { problems, sections } = await checkSections(options);
  const { signing, signingCertificate } = await contractSigning(options);
  const { encryption } = options;
  const assembled = assembleContract({
    workload: options.workload,
    env: options.env,
    attestationPublicKey: options.attestationPublicKey,
    encryptTo: encryption?.material.publicKey,
    prefix: options.prefix,
    sectionStyle: options.sectionStyle,
    signing,
    random: options.random,
    sectionKeys: await options.sectionKeys,
    parsed: sections,
  });
  return {
    text: assembled.text,
    ...(signingCertificate ? { signingCertificate } : {}),
    problems,
    plaintextSections: assembled.plaintextSections,
    warnings: assembled.warnings,
  };
}

/**
 * The checks before assembly: the encryption certificate is current (unless allowed), and the
 * plaintext sections pass the validator. Returns the warnings and notes.
 */
export async function checkContract(options: CreateContractOptions): Promise<ContractProblem[]> {
  return (await checkSections(options)).problems;
}

/** `checkContract`, giving also the sections it parsed, for the assembly to reuse. */
async function checkSections(options: CreateContractOptions): Promise<CheckedSections> {
  const { encryption } = options;
  if (encryption?.material.certificate && !encryption.allowExpired) {
    assertCertificateCurrent(encryption.material.certificate, options.now, encryption.source);
  }
  return validateSections(options);
}

interface CheckedSections {
  problems: ContractProblem[];
  sections: { workload: ContractSection; env: ContractSection };
}

/**
 * The signing material for `assembleContract`: the signing key and the signingKey value env
 * gets, the public key or, with expiry, a certificate issued now by the deployer's CA.
 */
export async function contractSigning(
  options: Pick<CreateContractOptions, 'signing' | 'now'>,
): Promise<{
  signing?: { privateKey: KeyObject; signingKey: string };
  signingCertificate?: string;
}> {
  if (!options.signing) return {};
  const publicKey = createPublicKey(options.signing.privateKey);
  let signingCertificate: string | undefined;
  if (options.signing.expiry) {
    // loaded only for expiry: it pulls in the x509 library, which the threads of a batch
    // without expiry need not load
    const { issueContractSigningCertificate } = await import('../contract/contract-expiry.js');
    signingCertificate = await issueContractSigningCertificate({
      ...options.signing.expiry,
      signingPublicKey: publicKey,
      now: options.now,
    });
  }
  const signing = {
    privateKey: options.signing.privateKey,
    signingKey: signingCertificate ?? (publicKey.export({ format: 'pem', type: 'spki' }) as string),
  };
  return signingCertificate ? { signing, signingCertificate } : { signing };
}

/** Fails on the first schema error of a plaintext section; returns warnings and notes. */
async function validateSections(options: CreateContractOptions): Promise<CheckedSections> {
  const workload = parseSectionText('workload', options.workload.text, options.workload.source);
  const env = parseSectionText('env', options.env.text, options.env.source);
  const sections = new Map([
    ['workload', workload],
    ['env', env],
  ]);
  const parsed: ParsedUserData = {
    source: 'contract',
    text: '',
    sections,
    keyPosition: () => ({ line: 1, col: 1 }),
    entryRange: () => undefined,
  };
  const report = await validateUserData(parsed, {
    platform: options.platform ?? 'hpvs',
    now: options.now,
  });
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    const more =
      errors.length > 1
        ? ` (and ${errors.length - 1} more; run hpvs-ctl validate on the section)`
        : '';
    throw new HpvsError('CONTRACT_INVALID', [...problemWording(errors[0]!), more]);
  }
  // A signingKey without a signature is worth a warning, except when this run signs.
  const problems = report.problems.filter(
    (problem) =>
      problem.severity !== 'note' &&
      !(options.signing && problem.severity === 'warning' && problem.path === 'env.signingKey'),
  );
  return { problems, sections: { workload, env } };
}
