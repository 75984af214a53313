import { input, worded, type Wording } from '../wording.js';
import { isMapping, type Mapping } from '../mapping.js';
import {
  chooseLoggingTarget,
  LEGACY_LOGGING_TARGET,
  LOGDNA_LEGACY_MESSAGE,
  logDnaIgnoredMessage,
} from '../contract/logging-target.js';
import { signaturePresence } from '../contract/signature-presence.js';
import { volumeNameMismatch, volumeNames } from '../contract/volume-names.js';
import { composeWarnings, type ComposeWarningRule } from '../workload/compose-warnings.js';
import { openWorkloadArchive } from '../workload/workload-archive.js';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { ATTESTATION_KEY_BITS, readAttestationKey } from '../contract/attestation-key.js';
import { isStrictBase64 } from '../crypto/strict-base64.js';
import { HpvsError } from '../errors.js';
import {
  isPlaintextSection,
  type ContractSection,
  type ParsedUserData,
  type YamlPath,
} from '../contract/user-data.js';
import type { Platform, WorkloadKind } from '../platforms/platforms.js';
import { KNOWN_KEYS, LONGEST_PEM_TEXT, PATTERNS } from './contract-schema.js';
import type { DeliberateRuleId } from './deliberate-rules.js';
import type { ProblemList } from './problems.js';

/**
 * The rules a per-section JSON Schema cannot express well: exactly-one choices with a clear
 * message, names shared by workload and env, the contents of archives, and keys that must
 * actually parse. Each finding that the published schema would not report names its
 * deliberate rule.
 */

export interface RuleContext {
  list: ProblemList;
  platform: Platform;
  now: Date;
}

const WORKLOAD_KINDS: readonly WorkloadKind[] = ['compose', 'play', 'confidential-containers'];

function describeKind(kind: WorkloadKind): string {
  return kind === 'play' ? 'play (archive, resources or templates)' : kind;
}

function at(section: ContractSection, context: RuleContext) {
  return {
    error(path: YamlPath, message: string | Wording, rule?: DeliberateRuleId) {
      context.list.add(
        'error',
        section.source,
        section.positionOf(path),
        [section.key, ...path],
        message,
        rule,
      );
    },
    keyError(path: YamlPath, name: string, message: string, rule?: DeliberateRuleId) {
      context.list.add(
        'error',
        section.source,
        section.keyPositionOf(path, name),
        [section.key, ...path, name],
        message,
        rule,
      );
    },
    warning(path: YamlPath, message: string | Wording, rule?: DeliberateRuleId) {
      context.list.add(
        'warning',
        section.source,
        section.positionOf(path),
        [section.key, ...path],
        message,
        rule,
      );
    },
    unknownKey(path: YamlPath, name: string, known: readonly string[]) {
      context.list.add(
        'warning',
        section.source,
        section.keyPositionOf(path, name),
        [section.key, ...path, name],
        `unknown key; the runtime ignores it (known: ${known.join(', ')})`,
      );
    },
  };
}

export function checkWorkloadSection(section: ContractSection, context: RuleContext): void {
  const data = section.data as Mapping;
  const report = at(section, context);
  for (const key of Object.keys(data)) {
    if (!(KNOWN_KEYS.workload as readonly string[]).includes(key)) {
      report.unknownKey([], key, KNOWN_KEYS.workload);
    }
  }
  const allowed = context.platform.workloadKinds;
  const runnable = allowed.filter((key) => key !== 'confidential-containers');
  const kinds = WORKLOAD_KINDS.filter((key) => key in data);
  // A kind the platform does not run (compose on CCRV) is an error of its own, not a choice.
  const choices = kinds.filter((key) => allowed.includes(key));
  for (const kind of kinds.filter((key) => !allowed.includes(key))) {
    report.error(
      [kind],
      `${context.platform.name.toUpperCase()} does not run ${kind}; use ${runnable.map(describeKind).join(' or ')} instead`,
      choices.length === 1 ? 'ccrv-no-compose' : undefined,
    );
  }
  if (choices.length === 0) {
    report.error(
      [],
      runnable.length === 1
        ? `needs ${describeKind(runnable[0]!)}`
        : `needs exactly one of ${runnable.join(' or ')}`,
    );
  } else if (choices.length > 1) {
    report.error([choices[1]!], `has both ${choices.join(' and ')}; give exactly one`);
  }
  const play = data.play;
  if (isMapping(play) && !('archive' in play || 'resources' in play || 'templates' in play)) {
    report.warning(['play'], 'has no archive, resources or templates, so no container will run');
  }
}

/** Compose warnings the runtime stops on: errors here, under the deliberate rule they break. */
const COMPOSE_ERRORS: Partial<Record<ComposeWarningRule, DeliberateRuleId>> = {
  'compose-build': 'compose-no-build',
  'compose-file-missing': 'archive-contents',
};

/** Opens compose.archive / play.archive in memory and checks what the runtime would meet. */
export async function checkCompose(section: ContractSection, context: RuleContext): Promise<void> {
  const data = section.data as Mapping;
  const report = at(section, context);
  for (const kind of ['compose', 'play'] as const) {
    const holder = data[kind];
    if (!isMapping(holder) || typeof holder.archive !== 'string') continue;
    const archive = holder.archive;
    const path = [kind, 'archive'];
    if (archive.length < 4 || !new RegExp(PATTERNS.archive, 'u').test(archive)) continue;
    if (!isStrictBase64(archive)) {
      report.error(
        path,
        'is not valid base64 (standard alphabet, padded, one line)',
        'archive-contents',
      );
      continue;
    }
    let entries: ArchiveEntry[];
    try {
      entries = await openWorkloadArchive(archive, 'archive');
    } catch (error) {
      if (!(error instanceof HpvsError)) throw error;
      report.error(path, error.message, 'archive-contents');
      continue;
    }
    if (kind !== 'compose') continue;
    for (const { rule, message } of await composeWarnings(entries, 'archive')) {
      const deliberate = COMPOSE_ERRORS[rule];
      if (deliberate === undefined) report.warning(path, message);
      else report.error(path, message, deliberate);
    }
  }
}

export function checkEnvSection(section: ContractSection, context: RuleContext): void {
  const data = section.data as Mapping;
  const report = at(section, context);
  for (const key of Object.keys(data)) {
    if (!(KNOWN_KEYS.env as readonly string[]).includes(key)) {
      report.unknownKey([], key, KNOWN_KEYS.env);
    }
  }
  checkLogging(data.logging, section, context);
  // the coco schema requires the seed and has no uv-secret-id: its own message says it
  if (isMapping(data.volumes) && context.platform.schema.validators !== 'coco') {
    for (const [name, volume] of Object.entries(data.volumes)) {
      if (!isMapping(volume)) continue;
      const hasSeed = 'seed' in volume;
      const hasUv = 'uv-secret-id' in volume;
      if (hasSeed && hasUv) {
        report.error(['volumes', name], 'has both seed and uv-secret-id; give exactly one');
      } else if (!hasSeed && !hasUv) {
        report.error(
          ['volumes', name],
          'needs the env seed (seed), or uv-secret-id; the LUKS passphrase is derived from both seeds',
        );
      }
      if ('uv-previous-secret-id' in volume && !hasUv) {
        report.error(['volumes', name, 'uv-previous-secret-id'], 'needs uv-secret-id as well');
      }
    }
  }
  if (typeof data.signingKey === 'string') checkSigningKey(data.signingKey, section, context);
}

function checkLogging(logging: unknown, section: ContractSection, context: RuleContext): void {
  if (!isMapping(logging)) return;
  const report = at(section, context);
  for (const key of Object.keys(logging)) {
    if (!(KNOWN_KEYS.logging as readonly string[]).includes(key)) {
      report.unknownKey(['logging'], key, KNOWN_KEYS.logging);
    }
  }
  const choice = chooseLoggingTarget(logging);
  if (choice.kind === 'several') {
    report.error(['logging'], 'has both syslog and logRouter; give exactly one logging target');
  }
  if (choice.kind === 'none') {
    report.error(['logging'], 'needs exactly one logging target: syslog or logRouter');
  } else if (choice.kind === 'target' && choice.target === LEGACY_LOGGING_TARGET) {
    report.warning(['logging', LEGACY_LOGGING_TARGET], LOGDNA_LEGACY_MESSAGE, 'logdna-legacy');
  } else if (LEGACY_LOGGING_TARGET in logging) {
    const used = choice.kind === 'target' ? choice.target : choice.targets[0]!;
    report.warning(['logging', LEGACY_LOGGING_TARGET], logDnaIgnoredMessage(used));
  }
  const syslog = logging.syslog;
  if (isMapping(syslog) && 'cert' in syslog !== 'key' in syslog) {
    report.error(
      ['logging', 'syslog', 'cert' in syslog ? 'key' : 'cert'],
      'missing: mutual TLS needs the client certificate and its key together',
      'syslog-client-pair',
    );
  }
}

function checkSigningKey(value: string, section: ContractSection, context: RuleContext): void {
  const report = at(section, context);
  if (
    value.length > LONGEST_PEM_TEXT ||
    !new RegExp(`${PATTERNS.publicKey}|${PATTERNS.certificate}|${PATTERNS.base64}`, 'u').test(value)
  ) {
    return;
  }
  try {
    const material = parsePublicKeyOrCertificate(value, 'signingKey');
    const certificate = material.certificate;
    if (certificate && new Date(certificate.validTo) < context.now) {
      report.error(
        ['signingKey'],
        worded`the signing certificate expired on ${new Date(certificate.validTo).toISOString()}, so the contract has expired (the runtime stops with HPL12007E); ${input('issue-new-contract')}`,
        'contract-not-expired',
      );
    }
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    report.error(['signingKey'], error.message.replace(/^signingKey: /, ''), 'signing-key-usable');
  }
}

/**
 * A plaintext attestationPublicKey: the PEM text or the base64 of the PEM (SPEC-IBM A2.7), an
 * RSA public key. Base64 passes the runtime but not the published schema's pattern, so it gets
 * a warning rather than an error.
 */
export function checkAttestationKey(section: ContractSection, context: RuleContext): void {
  const add = (severity: 'error' | 'warning', message: string, rule?: DeliberateRuleId) =>
    context.list.add(
      severity,
      section.source,
      section.positionOf([]),
      ['attestationPublicKey'],
      message,
      rule,
    );
  if (section.form !== 'string') {
    add(
      'error',
      'must be a PEM public key (as a | block), the base64 of one, or an encrypted token',
    );
    return;
  }
  const pem = /-----BEGIN /.test(section.value);
  if (
    pem &&
    (section.value.length > LONGEST_PEM_TEXT ||
      !new RegExp(PATTERNS.publicKey, 'u').test(section.value))
  ) {
    add('error', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----) or an encrypted token');
    return;
  }
  let key;
  try {
    key = readAttestationKey(section.value, 'attestationPublicKey');
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    add(
      'error',
      pem
        ? error.message.replace(/^attestationPublicKey: /, '')
        : 'must be a PEM public key (as a | block), the base64 of one, or an encrypted token',
      pem ? 'attestation-key-usable' : undefined,
    );
    return;
  }
  if (key.encoding === 'base64') {
    add(
      'warning',
      'is the base64 of a PEM public key: the runtime accepts it, but the published schema does not; write the PEM text (a | block) so every checker agrees',
      'attestation-key-base64',
    );
  }
  if (key.bits < ATTESTATION_KEY_BITS) {
    add(
      'warning',
      `is an RSA-${key.bits} key; the runtime's own keys are RSA-${ATTESTATION_KEY_BITS}, use at least that`,
    );
  }
}

export function checkSignature(parsed: ParsedUserData, context: RuleContext): void {
  const signature = parsed.sections.get('envWorkloadSignature');
  const env = parsed.sections.get('env');
  const envData = env && isPlaintextSection(env) && isMapping(env.data) ? env.data : undefined;
  if (signature) {
    const problem = (message: string, rule?: DeliberateRuleId) =>
      context.list.add(
        'error',
        signature.source,
        signature.positionOf([]),
        ['envWorkloadSignature'],
        message,
        rule,
      );
    if (signature.form !== 'string') {
      problem('must be the base64 signature (one line)');
      return;
    } else if (signature.value.trim() === '') {
      problem('is empty; sign the contract with hpvs-ctl sign', 'signature-not-empty');
      return;
    } else if (!isStrictBase64(signature.value.replace(/\s+/g, ''))) {
      problem('must be base64 (one line)');
      return;
    }
  }
  // an encrypted env may hold the signing key: only a readable one shows a half missing
  if (!envData || !env) return;
  const presence = signaturePresence({
    signature: signature !== undefined,
    signingKey: 'signingKey' in envData,
  });
  if (presence === 'signature-without-key') {
    context.list.add(
      'warning',
      signature!.source,
      signature!.positionOf([]),
      ['envWorkloadSignature'],
      'env has no signingKey, so the runtime cannot check this signature',
    );
  } else if (presence === 'key-without-signature') {
    context.list.add(
      'warning',
      env.source,
      env.positionOf(['signingKey']),
      ['env', 'signingKey'],
      'is set but the contract has no envWorkloadSignature; sign it with hpvs-ctl sign',
    );
  }
}

/** Each data volume needs a seed from both personas, joined by the volume's name. */
export function checkVolumeNames(
  workload: ContractSection,
  env: ContractSection,
  context: RuleContext,
): void {
  // a name the schema refuses is reported there; matching it again would say the same twice
  const pattern = new RegExp(PATTERNS.volumeName, 'u');
  const names = (section: ContractSection): string[] =>
    volumeNames(section.data).filter((name) => pattern.test(name));
  const workloadNames = names(workload);
  const envNames = names(env);
  const mismatch = volumeNameMismatch(workloadNames, envNames);
  for (const name of mismatch.onlyInWorkload) {
    at(workload, context).keyError(
      ['volumes'],
      name,
      `env.volumes has no "${name}": the LUKS passphrase needs the env seed of the same volume (the runtime stops with HPL07015E)${envNames.length ? `; env has ${envNames.join(', ')}` : ''}`,
      'volume-names-match',
    );
  }
  for (const name of mismatch.onlyInEnv) {
    at(env, context).keyError(
      ['volumes'],
      name,
      `workload.volumes has no "${name}": the volume names in workload and env must match (the runtime stops with HPL07015E)${workloadNames.length ? `; workload has ${workloadNames.join(', ')}` : ''}`,
      'volume-names-match',
    );
  }
}
