import { input, worded, wordedText, type Notice } from '../wording.js';
import { assertCertificateCurrent, parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { encryptSection } from '../crypto/encrypt-section.js';
import { HpvsError } from '../errors.js';
import { problemWording, type ContractProblem } from '../schema/problems.js';
import { validateUserData } from '../schema/validate-contract.js';
import { blockStringEntry, readAttestationKeyInput } from '../contract/assemble-contract.js';
import { readAttestationKey } from '../contract/attestation-key.js';
import {
  contractSigning,
  type CreateContractOptions,
  type CreatedContract,
} from './create-contract.js';
import { normalizePem } from '../crypto/pem-text.js';
import { samePublicKey } from '../contract/signing-key.js';
import { signUserData } from '../contract/sign-user-data.js';
import {
  isPlaintextSection,
  parseUserData,
  sectionBytes,
  type ContractSection,
  type ParsedUserData,
} from '../contract/user-data.js';

/**
 * `hpvs-ctl contract --in contract.yaml`: one plaintext contract (both sections, in any form,
 * sections another persona already encrypted kept as they are) made into signed, encrypted
 * user data in one step, like contract-cli `encrypt --in` (SPEC-IBM A3), without its defects:
 * every byte not asked to change stays (section text, comments, key order, unknown top-level
 * keys, which get a warning); values are never re-serialised or retyped; a token is never
 * encrypted again; an existing signingKey of another key is refused, not overwritten.
 */
export interface ContractFileOptions extends Pick<
  CreateContractOptions,
  | 'attestationPublicKey'
  | 'encryption'
  | 'signing'
  | 'platform'
  | 'prefix'
  | 'now'
  | 'random'
  | 'sectionKeys'
> {
  text: string;
  source: string;
}

export async function buildContractFile(options: ContractFileOptions): Promise<CreatedContract> {
  const { source } = options;
  let parsed = parseUserData(options.text, source);
  if (parsed.entryRange('workload') === undefined && parsed.sections.has('workload')) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}: write the contract as a block mapping (one top-level key per line), not a flow mapping`,
    );
  }
  const { encryption } = options;
  if (encryption?.material.certificate && !encryption.allowExpired) {
    assertCertificateCurrent(encryption.material.certificate, options.now, encryption.source);
  }
  const problems = await checkInput(parsed, options);
  const { signing, signingCertificate } = await contractSigning(options);
  const warnings: Notice[] = [];
  const hadSignature = parsed.sections.has('envWorkloadSignature');
  let changed = false;

  if (signing) {
    const env = parsed.sections.get('env')!;
    if (!isPlaintextSection(env)) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${source}: env is already encrypted, so hpvs-ctl cannot check or add its signingKey; give the plaintext env, or ask whoever encrypted it to add signingKey and then run hpvs-ctl sign`,
      );
    }
    const next = withSigningKeyInPlace(parsed, env, signing.signingKey);
    if (next !== parsed.text) {
      parsed = parseUserData(next, source);
      changed = true;
    }
  }

  if (options.attestationPublicKey) {
    if (parsed.sections.has('attestationPublicKey')) {
      throw new HpvsError(
        'ARGUMENT_INVALID',
        worded`${source} already has attestationPublicKey; remove it there or ${input('another-attestation-key')}`,
      );
    }
    const key = readAttestationKeyInput(options.attestationPublicKey);
    const entry =
      key.form === 'token'
        ? `attestationPublicKey: ${key.value}\n`
        : blockStringEntry('attestationPublicKey', key.value);
    parsed = parseUserData(appendEntry(parsed.text, entry), source);
    changed = true;
  }

  const plaintext: string[] = [];
  const sectionKeys = await options.sectionKeys;
  for (const key of ['workload', 'env', 'attestationPublicKey'] as const) {
    const section = parsed.sections.get(key);
    if (section === undefined || section.form === 'token') continue;
    if (encryption === undefined) {
      plaintext.push(key);
      continue;
    }
    const token = encryptSection(
      plaintextOf(section),
      encryption.material.publicKey,
      options.random,
      options.prefix,
      sectionKeys?.(),
    );
    parsed = parseUserData(replaceEntry(parsed, key, `${key}: ${token}\n`), source);
    changed = true;
  }

  let text = parsed.text;
  if (signing) {
    text = signUserData(text, source, signing.privateKey).text;
    if (hadSignature) warnings.push(`${source}: envWorkloadSignature replaced by a new signature`);
  } else if (hadSignature && changed) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`${source} is signed, and encrypting changes the signed values; give ${input('signing-key')} to sign it again`,
    );
  }
  for (const key of plaintext.filter((name) => name !== 'attestationPublicKey')) {
    warnings.push(
      key === 'env'
        ? wordedText(
            worded`env is not encrypted: its seeds and keys are readable by anyone who sees user-data; ${input('add-encryption-certificate')}`,
          )
        : wordedText(
            worded`workload is not encrypted: ${input('add-encryption-certificate')} to hide it from the cloud operator`,
          ),
    );
  }
  return {
    text,
    ...(signingCertificate ? { signingCertificate } : {}),
    problems,
    plaintextSections: plaintext.filter((name) => name !== 'attestationPublicKey'),
    warnings,
  };
}

/**
 * What is encrypted for a section: its bytes, except that an attestationPublicKey written as
 * the base64 of a PEM is encrypted as that PEM (SPEC-IBM A2.7: the runtime reads the PEM, and
 * the published schema's pattern checks the PEM text).
 */
function plaintextOf(section: ContractSection): Buffer {
  if (section.key === 'attestationPublicKey') {
    const key = readAttestationKey(section.value, 'attestationPublicKey');
    if (key.encoding === 'base64') return Buffer.from(section.value.replace(/\s+/g, ''), 'base64');
  }
  return sectionBytes(section);
}

/** Validates the input contract: fails on the first error, returns the warnings. */
async function checkInput(
  parsed: ParsedUserData,
  options: ContractFileOptions,
): Promise<ContractProblem[]> {
  const report = await validateUserData(parsed, {
    platform: options.platform ?? 'hpvs',
    now: options.now,
  });
  // a signature this run replaces (or the empty `envWorkloadSignature:` a template leaves) is
  // not the input's problem
  const replaced = (problem: ContractProblem) =>
    options.signing !== undefined && problem.path === 'envWorkloadSignature';
  const errors = report.problems.filter(
    (problem) => problem.severity === 'error' && !replaced(problem),
  );
  if (errors.length > 0) {
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more; run hpvs-ctl validate on it)` : '';
    throw new HpvsError('CONTRACT_INVALID', [...problemWording(errors[0]!), more]);
  }
  return report.problems.filter(
    (problem) =>
      problem.severity !== 'note' &&
      !replaced(problem) &&
      !(options.signing && problem.severity === 'warning' && problem.path === 'env.signingKey'),
  );
}

/**
 * The contract text with `signingKey` added to the plaintext env where it is written (the
 * env string gets the lines at its end; a mapping gets them after its last line), or the
 * text unchanged when env already has this key. Another key is refused, never overwritten.
 */
function withSigningKeyInPlace(
  parsed: ParsedUserData,
  env: ContractSection,
  signingKeyPem: string,
): string {
  const data = (env.data ?? {}) as Record<string, unknown>;
  const wanted = parsePublicKeyOrCertificate(signingKeyPem, 'signing key');
  if (data.signingKey !== undefined) {
    const present =
      typeof data.signingKey === 'string'
        ? parsePublicKeyOrCertificate(data.signingKey, `${parsed.source}: env.signingKey`)
        : undefined;
    if (present && samePublicKey(present.publicKey, wanted.publicKey)) return parsed.text;
    const { line, col } = env.positionOf(['signingKey']);
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${parsed.source}:${line}:${col} env.signingKey is another key than the signing key; hpvs-ctl does not overwrite it: remove it to use this signing key, or sign with the key it names`,
    );
  }
  const pem = normalizePem(signingKeyPem).trimEnd().split('\n');
  let text: string;
  if (env.form === 'string') {
    const value = env.value;
    const block = pem.map((line) => `  ${line}`).join('\n');
    const next = `${value.endsWith('\n') || value === '' ? value : `${value}\n`}signingKey: |\n${block}\n`;
    text = replaceEntry(parsed, 'env', blockStringEntry('env', next));
  } else {
    const [start, end] = env.node!.range!;
    const lineStart = parsed.text.lastIndexOf('\n', start - 1) + 1;
    const indent = ' '.repeat(start - lineStart);
    const contentEnd = parsed.text.slice(0, end).trimEnd().length;
    const lineEnd = parsed.text.indexOf('\n', contentEnd);
    const at = lineEnd === -1 ? parsed.text.length : lineEnd + 1;
    const lines = [`${indent}signingKey: |`, ...pem.map((line) => `${indent}  ${line}`)];
    const before = parsed.text.slice(0, at);
    text = `${before}${before.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n${parsed.text.slice(at)}`;
  }
  const check = parseUserData(text, parsed.source).sections.get('env')!;
  const expected = { ...data, signingKey: `${pem.join('\n')}\n` };
  if (JSON.stringify(check.data) !== JSON.stringify(expected)) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${parsed.source}: cannot add signingKey to env as it is written (does it end inside a block?); add env.signingKey yourself and run hpvs-ctl sign`,
    );
  }
  return text;
}

/** Trailing blank lines and column-0 comments of an entry, which are not part of its value. */
function trailer(entry: string): string {
  const lines = entry.split('\n');
  let keep = lines.length;
  while (keep > 1 && (lines[keep - 1] === '' || lines[keep - 1]!.startsWith('#'))) keep -= 1;
  // the text after the line break that ends the value's last line
  return lines.slice(keep).join('\n');
}

/** The text with the top-level entry `key` replaced by `entry` (comments after it kept). */
function replaceEntry(parsed: ParsedUserData, key: string, entry: string): string {
  const range = parsed.entryRange(key);
  if (range === undefined) {
    throw new HpvsError('CONTRACT_INVALID', `${parsed.source}: cannot locate ${key} to replace it`);
  }
  const [start, end] = range;
  const old = parsed.text.slice(start, end);
  return `${parsed.text.slice(0, start)}${entry}${trailer(old)}${parsed.text.slice(end)}`;
}

function appendEntry(text: string, entry: string): string {
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${entry}`;
}
