import { asMapping, type Mapping } from '../mapping.js';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { extractTgz } from '../archive/extract-tgz.js';
import { IBM_ENCRYPTION_RSA_BITS } from '../crypto/encryption-key-rules.js';
import { openWithEmptyPassword } from '../crypto/empty-password.js';
import { parseSectionToken } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import {
  isInterpolatedImage,
  isPinnedImage,
  signatureCovering,
  signedImages,
  unpinnedReason,
} from '../workload/image-references.js';
import { workloadArchiveBytes } from '../workload/workload-archive.js';
import { archiveImages, playListImages } from '../workload/workload-images.js';
import type {
  EnvSummary,
  ImageReport,
  LoggingReport,
  SectionReport,
  UserDataInspection,
  VolumeReport,
  WorkloadSummary,
} from './inspection.js';
import {
  chooseLoggingTarget,
  LEGACY_LOGGING_TARGET,
  LOGDNA_LEGACY_MESSAGE,
} from './logging-target.js';
import { envSecrets, workloadSecrets } from './plaintext-secrets.js';
import { at, report, type Context } from './inspection-context.js';
import { describeKey } from './inspect-key.js';
import { inspectSignature } from './inspect-signature.js';
import {
  isPlaintextSection,
  parseSectionText,
  parseUserData,
  SECTION_KEYS,
  USER_DATA_LIMIT,
  type ContractSection,
} from './user-data.js';
import { volumeNameMismatch, volumeNames } from './volume-names.js';

export type * from './inspection.js';
export { USER_DATA_LIMIT };

/**
 * Inspects a user-data file: what each section is and configures, and what a deployer should
 * know before submitting it (`now` decides whether a signing certificate has expired).
 */
export async function inspectUserData(
  text: string,
  source: string,
  now: Date,
): Promise<UserDataInspection> {
  const parsed = parseUserData(text, source);
  const context: Context = { source, now, findings: [] };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > USER_DATA_LIMIT) {
    report(
      context,
      'warning',
      'user-data-size',
      `${source}: ${bytes} bytes, more than the ${USER_DATA_LIMIT} bytes (64 KiB) IBM Cloud VPC accepts as user data (on-prem KVM has no limit); shrink the workload archive`,
    );
  }
  for (const key of ['workload', 'env']) {
    if (!parsed.sections.has(key)) {
      const { line, col } = parsed.keyPosition(key);
      report(
        context,
        'error',
        'section-missing',
        `${source}:${line}:${col}: the required section ${key} is missing`,
      );
    }
  }
  const sections: SectionReport[] = [];
  // plaintext seen by inspect (directly or through the empty password), for the signature check
  const readable = new Map<string, ContractSection>();
  for (const section of parsed.sections.values()) {
    if (!SECTION_KEYS.includes(section.key)) {
      const { line, col } = parsed.keyPosition(section.key);
      report(
        context,
        'warning',
        'unknown-key',
        `${section.source}:${line}:${col}: unknown top-level key ${section.key}; the runtime ignores it (typo?)`,
      );
    }
    if (section.key === 'envWorkloadSignature') continue;
    sections.push(await inspectSection(section, context, readable));
  }
  checkVolumeNames(readable, context);
  return {
    source,
    bytes,
    limit: USER_DATA_LIMIT,
    sections,
    signature: inspectSignature(parsed.sections, readable, context),
    findings: context.findings,
  };
}

async function inspectSection(
  section: ContractSection,
  context: Context,
  readable: Map<string, ContractSection>,
): Promise<SectionReport> {
  const base = {
    key: section.key,
    written: section.form,
    bytes: Buffer.byteLength(section.value, 'utf8'),
    line: section.positionOf([]).line,
  };
  if (section.form === 'token') {
    const sectionReport: SectionReport = { ...base, form: 'encrypted' };
    let token;
    try {
      token = parseSectionToken(section.value);
    } catch (error) {
      if (!(error instanceof HpvsError)) throw error;
      report(context, 'error', 'token-malformed', `${at(section, [])} ${error.message}`);
      return sectionReport;
    }
    const opened = openWithEmptyPassword(token.encryptedData);
    sectionReport.token = {
      prefix: token.prefix,
      rsaBits: token.wrappedPassword.length * 8,
      dataBytes: token.encryptedData.length,
      readableWithEmptyPassword: opened !== undefined,
    };
    if (sectionReport.token.rsaBits !== IBM_ENCRYPTION_RSA_BITS) {
      report(
        context,
        'warning',
        'token-key-size',
        `${at(section, [])} the password is wrapped for a ${sectionReport.token.rsaBits}-bit RSA key, but HPCR encryption certificates are ${IBM_ENCRYPTION_RSA_BITS}-bit; it was not encrypted for a runtime image`,
      );
    }
    if (opened !== undefined) {
      report(
        context,
        'error',
        'readable-with-empty-password',
        `${at(section, [])} READABLE BY ANYONE: the data opens with the empty password (openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:), as happens when openssl's -pass stdin cuts a random password at a leading 0x0A; re-encrypt it with hpvs-ctl encrypt and treat its secrets as disclosed`,
      );
      const plain = parseSectionText(
        section.key,
        opened.toString('utf8'),
        `${section.source} (${section.key} opened with the empty password)`,
      );
      readable.set(section.key, { ...plain, value: section.value });
      const summary = await summarize(plain, context, false);
      if (summary) sectionReport.summary = summary;
    }
    return sectionReport;
  }
  if (isPlaintextSection(section) && (section.key === 'workload' || section.key === 'env')) {
    readable.set(section.key, section);
    const sectionReport: SectionReport = { ...base, form: 'plaintext' };
    const summary = await summarize(section, context, true);
    if (summary) sectionReport.summary = summary;
    return sectionReport;
  }
  if (section.key === 'attestationPublicKey' && section.form === 'string') {
    const sectionReport: SectionReport = { ...base, form: 'string' };
    const key = describeKey(section.value, section, context);
    if (key) sectionReport.summary = { type: 'public-key', key };
    return sectionReport;
  }
  report(
    context,
    'error',
    'section-form',
    `${at(section, [])} expected a mapping or an encrypted hyper-protect-basic token, found ${section.form === 'string' ? 'a plain string' : 'a non-string value'}`,
  );
  return { ...base, form: section.form === 'string' ? 'string' : 'other' };
}

async function summarize(
  section: ContractSection,
  context: Context,
  plaintext: boolean,
): Promise<WorkloadSummary | EnvSummary | undefined> {
  const data = asMapping(section.data);
  if (!data) return undefined;
  if (section.key === 'workload') {
    if (plaintext) warnPlaintextSecrets(section, workloadSecrets(data), context);
    return summarizeWorkload(section, data, context);
  }
  if (section.key === 'env') {
    if (plaintext) warnPlaintextSecrets(section, envSecrets(data), context);
    return summarizeEnv(section, data, context);
  }
  return undefined;
}

function warnPlaintextSecrets(section: ContractSection, secrets: string[], context: Context): void {
  if (secrets.length === 0) return;
  report(
    context,
    'warning',
    'plaintext-secrets',
    `${at(section, [])} not encrypted, so anyone who can read the user data reads its ${secrets.join(', ')}; encrypt the section with hpvs-ctl encrypt`,
  );
}

function summarizeVolumes(value: unknown): VolumeReport[] {
  return Object.entries(asMapping(value) ?? {}).map(([name, volume]) => {
    const record = asMapping(volume) ?? {};
    const volumeReport: VolumeReport = {
      name,
      seed: record['seed'] !== undefined || record['uv-secret-id'] !== undefined,
      previousSeed: record['previousSeed'] !== undefined,
    };
    if (typeof record['mount'] === 'string') volumeReport.mount = record['mount'];
    if (typeof record['filesystem'] === 'string') volumeReport.filesystem = record['filesystem'];
    if (Array.isArray(record['kms'])) volumeReport.kms = record['kms'].length;
    return volumeReport;
  });
}

async function summarizeWorkload(
  section: ContractSection,
  data: Mapping,
  context: Context,
): Promise<WorkloadSummary> {
  const compose = asMapping(data['compose']);
  const play = asMapping(data['play']);
  const summary: WorkloadSummary = {
    type: 'workload',
    runtime: compose
      ? 'compose'
      : play
        ? 'play'
        : data['confidential-containers'] !== undefined
          ? 'confidential-containers'
          : 'none',
    images: [],
    volumes: summarizeVolumes(data['volumes']),
    registries: Object.keys(asMapping(data['auths']) ?? {}),
    envNames: Object.keys(asMapping(data['env']) ?? {}),
  };
  const references: string[] = [];
  const archiveOwner = compose ? 'compose' : play ? 'play' : undefined;
  const archive = archiveOwner && asMapping(data[archiveOwner])?.['archive'];
  if (archiveOwner && typeof archive === 'string') {
    const source = `${at(section, [archiveOwner, 'archive'])} archive`;
    let entries: ArchiveEntry[] | undefined;
    try {
      const bytes = workloadArchiveBytes(archive, source);
      summary.archiveBytes = bytes.length;
      entries = await extractTgz(bytes, { source });
    } catch (error) {
      if (!(error instanceof HpvsError)) throw error;
      report(context, 'error', 'archive-invalid', error.message);
    }
    if (entries) {
      summary.archiveFiles = entries.filter((entry) => entry.type === 'file').map((e) => e.path);
      for (const image of archiveImages(entries, archiveOwner)) references.push(image);
    }
  }
  if (play) for (const image of playListImages(play)) references.push(image);
  const signed = signedImages(data['images']);
  for (const reference of [...new Set(references)]) {
    const image: ImageReport = { reference, pinned: isPinnedImage(reference) };
    const signature = signatureCovering(reference, signed);
    if (signature) image.signature = signature;
    summary.images.push(image);
    if (!image.pinned && !image.signature && !isInterpolatedImage(reference)) {
      report(
        context,
        'warning',
        'image-not-trusted',
        `${at(section, archiveOwner ? [archiveOwner] : [])} image "${reference}" ${unpinnedReason(reference)} and no signature under workload.images; the runtime refuses it: pin it as name@sha256:<digest>`,
      );
    }
  }
  return summary;
}

function summarizeEnv(section: ContractSection, data: Mapping, context: Context): EnvSummary {
  const summary: EnvSummary = {
    type: 'env',
    volumes: summarizeVolumes(data['volumes']),
    registries: Object.keys(asMapping(data['auths']) ?? {}),
    envNames: Object.keys(asMapping(data['env']) ?? {}),
  };
  const logging = asMapping(data['logging']);
  if (logging) summary.logging = summarizeLogging(section, logging, context);
  if (typeof data['signingKey'] === 'string') {
    const key = describeKey(data['signingKey'], section, context, ['signingKey']);
    if (key) summary.signingKey = key;
  }
  return summary;
}

function summarizeLogging(
  section: ContractSection,
  logging: Mapping,
  context: Context,
): LoggingReport {
  const choice = chooseLoggingTarget(logging);
  const type = choice.kind === 'target' ? choice.target : undefined;
  const target = asMapping(type === undefined ? undefined : logging[type]) ?? {};
  const loggingReport: LoggingReport = { type: type ?? 'unknown' };
  if (typeof target['hostname'] === 'string') loggingReport.hostname = target['hostname'];
  if (typeof target['port'] === 'number') loggingReport.port = target['port'];
  if (type === 'syslog') {
    loggingReport.serverCa = typeof target['server'] === 'string';
    loggingReport.clientCertificate = typeof target['cert'] === 'string';
    loggingReport.clientKey = typeof target['key'] === 'string';
  }
  if (type === LEGACY_LOGGING_TARGET) {
    report(
      context,
      'warning',
      'logdna-legacy',
      `${at(section, ['logging', LEGACY_LOGGING_TARGET])} ${LOGDNA_LEGACY_MESSAGE}`,
    );
  }
  return loggingReport;
}

/** Both sections readable: their volume names must match, as validate and the runtime require. */
function checkVolumeNames(readable: Map<string, ContractSection>, context: Context): void {
  const workload = readable.get('workload');
  const env = readable.get('env');
  if (workload === undefined || env === undefined) return;
  const mismatch = volumeNameMismatch(volumeNames(workload.data), volumeNames(env.data));
  for (const [section, names, other] of [
    [workload, mismatch.onlyInWorkload, 'env'],
    [env, mismatch.onlyInEnv, 'workload'],
  ] as const) {
    for (const name of names) {
      report(
        context,
        'error',
        'volume-names-match',
        `${at(section, ['volumes', name])} ${other}.volumes has no "${name}": the volume names in workload and env must match (the runtime stops with HPL07015E)`,
      );
    }
  }
}
