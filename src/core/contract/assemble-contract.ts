import { input, worded, wordedText, type Notice } from '../wording.js';
import type { KeyObject } from 'node:crypto';
import { signContract } from '../crypto/contract-signature.js';
import { encryptSection } from '../crypto/encrypt-section.js';
import { parsePublicKeyOrCertificate, type PublicKeyMaterial } from '../crypto/keys.js';
import type { RandomSource } from '../crypto/random-source.js';
import type { SectionKeySource } from '../crypto/section-key.js';
import { parseSectionToken, type TokenPrefix } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { normalizePem } from '../crypto/pem-text.js';
import { assertSigningKeyMatches, withSigningKey } from './signing-key.js';
import {
  parseSectionText,
  parseUserData,
  sectionBytes,
  USER_DATA_LIMIT,
  type ContractSection,
} from './user-data.js';

export interface SectionInput {
  /** The file's exact text: a plaintext section (YAML without the top-level key) or a token. */
  text: string;
  /** Names the input in messages. */
  source: string;
}

export interface AssembleContractOptions {
  workload: SectionInput;
  env: SectionInput;
  /** The auditor's PEM public key, or a token of it. */
  attestationPublicKey?: SectionInput | undefined;
  /** Encrypts the plaintext workload and env for this key (tokens stay as they are). */
  encryptTo?: KeyObject | undefined;
  prefix?: TokenPrefix | undefined;
  /** How plaintext sections are written; IBM's `|` block string by default. */
  sectionStyle?: SectionStyle | undefined;
  /**
   * Signs the contract. `signingKey` (PEM public key or certificate of `privateKey`) is added to
   * env before env is encrypted, so env must be plaintext.
   */
  signing?:
    | {
        privateKey: KeyObject;
        signingKey: string;
        /** `signingKey` parsed, when the caller has it (a batch parses it once per thread). */
        signingKeyMaterial?: PublicKeyMaterial | undefined;
      }
    | undefined;
  random: RandomSource;
  /** Keys for the sections to encrypt, one per section (derived from `random` when absent). */
  sectionKeys?: SectionKeySource | undefined;
  /** `workload` and `env` as parsed from their texts, when the caller parsed them already. */
  parsed?: { workload: ContractSection; env: ContractSection } | undefined;
}

/**
 * How hpvs-ctl writes a plaintext section into a contract: a `|` block string holding the
 * section's text (what IBM's docs, contract-go and contract-cli use), or a YAML mapping
 * (Terraform's `yamlencode` form).
 */
export type SectionStyle = 'block-string' | 'mapping';
export const SECTION_STYLES: readonly SectionStyle[] = ['block-string', 'mapping'];

export interface AssembledContract {
  /** The user-data.yaml text. */
  text: string;
  signature?: string;
  /** Sections written in plaintext; they may hold seeds and keys. */
  plaintextSections: string[];
  warnings: Notice[];
}

function readSection(
  key: 'workload' | 'env',
  input: SectionInput,
  section = parseSectionText(key, input.text, input.source),
): ContractSection {
  if (section.form === 'token') {
    parseSectionToken(section.value);
    return section;
  }
  if (section.form !== 'mapping') {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${input.source}: not a ${key} section: expected a YAML mapping (type: ${key}, ...) or an encrypted hyper-protect-basic token`,
    );
  }
  return section;
}

/** Indents every line by two; blank lines stay, as a `|+` block at the end keeps them. */
function indent(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
}

/**
 * A section file's text without the document markers (`%YAML`, `---`, `...`) that are fine
 * at the top of a file but not inside a mapping value.
 */
function documentBody(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^---\s*(#.*)?$/.test(line));
  const head = start >= 0 && lines.slice(0, start).every((line) => /^(%.*|#.*|\s*)$/.test(line));
  const body = head ? lines.slice(start + 1) : lines;
  const end = body.findIndex((line) => /^\.\.\.\s*(#.*)?$/.test(line));
  return (end >= 0 ? body.slice(0, end) : body).join('\n');
}

/**
 * `key: |` and the lines of `value`, so that a YAML reader gives back exactly `value`: the
 * chomping indicator keeps its final newlines as they are (`|-` none, `|` one, `|+` more), and
 * an explicit indentation indicator lets a value start with spaces or blank lines.
 */
export function blockStringEntry(key: string, value: string): string {
  const chomp = value.endsWith('\n') ? (value.endsWith('\n\n') || value === '\n' ? '+' : '') : '-';
  const indicator = /^\s/.test(value) ? '2' : '';
  // indent() drops the one final newline that the line end after the block gives back
  return `${key}: |${indicator}${chomp}\n${indent(value)}\n`;
}

function entry(
  key: string,
  section: ContractSection | { form: 'string'; value: string },
  style: SectionStyle,
): string {
  if (section.form === 'token') return `${key}: ${section.value}\n`;
  if (section.form === 'string' || style === 'block-string')
    return blockStringEntry(key, section.value);
  return `${key}:\n${indent(documentBody(section.value))}\n`;
}

/**
 * Builds user-data.yaml from section files: encrypts what is plaintext when a key is given,
 * injects signingKey into env first, and signs the final workload and env values. Tokens
 * are written on one line; a plaintext section is embedded as its exact text.
 */
export function assembleContract(options: AssembleContractOptions): AssembledContract {
  const warnings: Notice[] = [];
  const workload = readSection('workload', options.workload, options.parsed?.workload);
  let env = readSection('env', options.env, options.parsed?.env);
  if (options.signing) {
    const material =
      options.signing.signingKeyMaterial ??
      parsePublicKeyOrCertificate(options.signing.signingKey, 'signing key');
    assertSigningKeyMatches(material, options.signing.privateKey, 'signing key');
    if (env.form === 'token') {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${options.env.source}: env is already encrypted, so its signingKey cannot be added before signing; give the plaintext env section, or ask whoever encrypted env to add signingKey and then run hpvs-ctl sign`,
      );
    }
    // the env parsed above, and the new text parsed once by the check inside
    env = withSigningKey(env, options.signing.signingKey, options.env.source, material);
  }
  const seal = (section: ContractSection): ContractSection => {
    if (section.form === 'token' || options.encryptTo === undefined) return section;
    const token = encryptSection(
      sectionBytes(section),
      options.encryptTo,
      options.random,
      options.prefix,
      options.sectionKeys?.(),
    );
    return { ...section, form: 'token', value: token, data: token };
  };
  const sealedWorkload = seal(workload);
  const sealedEnv = seal(env);
  if (sealedEnv.form !== 'token') {
    warnings.push(
      wordedText(
        worded`env is not encrypted: its seeds and keys are readable by anyone who sees user-data; ${input('add-encryption-certificate')}`,
      ),
    );
  }
  if (sealedWorkload.form !== 'token') {
    warnings.push(
      wordedText(
        worded`workload is not encrypted: ${input('add-encryption-certificate')} to hide it from the cloud operator`,
      ),
    );
  }
  const style = options.sectionStyle ?? 'block-string';
  let text = entry('workload', sealedWorkload, style) + entry('env', sealedEnv, style);
  const attestationEntry =
    options.attestationPublicKey && readAttestationKeyInput(options.attestationPublicKey);
  if (attestationEntry) text += entry('attestationPublicKey', attestationEntry, style);
  // What is signed is what a reader of user-data gets. hpvs-ctl's own tokens read back as
  // themselves, so only a text with another kind of value is parsed again to find out.
  const signedValues = selfReading(sealedWorkload, sealedEnv, attestationEntry)
    ? { workload: sealedWorkload.value, env: sealedEnv.value }
    : readBackSections(text, sealedWorkload, sealedEnv, style, options);
  const plaintextSections = [sealedWorkload, sealedEnv]
    .filter((section) => section.form !== 'token')
    .map((section) => section.key);
  let signature: string | undefined;
  if (options.signing) {
    if (style === 'mapping' && (sealedWorkload.form !== 'token' || sealedEnv.form !== 'token')) {
      warnings.push(
        wordedText(
          worded`signing plaintext sections: the signature covers their exact text as embedded here; ${input('encrypt-both')} for a signature every tool agrees on`,
        ),
      );
    }
    signature = signContract(signedValues.workload, signedValues.env, options.signing.privateKey);
    text += `envWorkloadSignature: ${signature}\n`;
  }
  if (Buffer.byteLength(text) > USER_DATA_LIMIT) {
    warnings.push(
      `user data is ${Buffer.byteLength(text)} bytes, more than the 64 KiB IBM Cloud VPC accepts (on-prem KVM has no limit)`,
    );
  }
  return { text, ...(signature ? { signature } : {}), plaintextSections, warnings };
}

/**
 * A token as hpvs-ctl writes it (prefix, base64, dots: `formatSectionToken`) is a YAML plain
 * scalar that reads back as exactly itself; a token taken from a file may be wrapped over
 * lines or hold anything else, and is read back by parsing.
 */
const SELF_READING_TOKEN = /^[a-z][a-z-]*\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/;

export function isSelfReadingToken(value: string): boolean {
  return SELF_READING_TOKEN.test(value);
}

function selfReading(
  ...sections: (ContractSection | { form: 'string'; value: string } | undefined)[]
): boolean {
  return sections.every(
    (section) =>
      section === undefined || (section.form === 'token' && isSelfReadingToken(section.value)),
  );
}

/**
 * The workload and env values a reader gets from the assembled text, after checking that each
 * plaintext section reads back as the text (block string) or data (mapping) it came from.
 */
function readBackSections(
  text: string,
  sealedWorkload: ContractSection,
  sealedEnv: ContractSection,
  style: SectionStyle,
  options: AssembleContractOptions,
): { workload: string; env: string } {
  const parsed = parseUserData(text, 'user-data');
  for (const [key, original] of [
    ['workload', sealedWorkload],
    ['env', sealedEnv],
  ] as const) {
    const embedded = parsed.sections.get(key)!;
    const source = key === 'workload' ? options.workload.source : options.env.source;
    if (original.form !== 'mapping') continue;
    if (style === 'block-string' && embedded.value !== original.value) {
      // YAML turns a carriage return into a line break: such text cannot be a block string
      throw new HpvsError(
        'CONTRACT_INVALID',
        worded`${source}: the section cannot be written as a | block string exactly (does it hold carriage returns or control characters?); ${input('encrypt-section')}`,
      );
    }
    if (style === 'mapping' && JSON.stringify(embedded.data) !== JSON.stringify(original.data)) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        worded`${source}: the section cannot be embedded as it is (odd indentation?); ${input('encrypt-section')} or rewrite it with hpvs-ctl ${key}`,
      );
    }
  }
  return {
    workload: parsed.sections.get('workload')!.value,
    env: parsed.sections.get('env')!.value,
  };
}

/** An attestation key file: a token as it is, or the key as the SPKI PEM the schema expects. */
export function readAttestationKeyInput(
  input: SectionInput,
): ContractSection | { form: 'string'; value: string } {
  const section = parseSectionText('attestationPublicKey', input.text, input.source);
  if (section.form === 'token') {
    parseSectionToken(section.value);
    return section;
  }
  const material = parsePublicKeyOrCertificate(input.text, input.source);
  if (material.certificate) {
    throw new HpvsError(
      'KEY_INVALID',
      `${input.source}: the attestation key must be a public key (-----BEGIN PUBLIC KEY-----), not a certificate`,
    );
  }
  // PKCS#1 or base64 input becomes the SPKI PEM the runtime's schema expects.
  return {
    form: 'string',
    value: normalizePem(material.publicKey.export({ format: 'pem', type: 'spki' }) as string),
  };
}
