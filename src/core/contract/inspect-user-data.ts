import { asMapping, type Mapping } from '../mapping.js';
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { extractTgz } from '../archive/extract-tgz.js';
import { decodeContractSignature, verifyContractSignature } from '../crypto/contract-signature.js';
import { openWithEmptyPassword } from '../crypto/empty-password.js';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
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
  Finding,
  ImageReport,
  InspectionRule,
  KeyReport,
  LoggingReport,
  SectionReport,
  SignatureReport,
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
import { signaturePresence } from './signature-presence.js';
import {
  isPlaintextSection,
  parseSectionText,
  parseUserData,
  SECTION_KEYS,
  USER_DATA_LIMIT,
  type ContractSection,
  type YamlPath,
} from './user-data.js';
import { volumeNameMismatch, volumeNames } from './volume-names.js';

export type * from './inspection.js';
export { USER_DATA_LIMIT };

interface Context {
  source: string;
  now: Date;
  findings: Finding[];
}

function at(section: ContractSection, path: YamlPath): string {
  const { line, col } = section.positionOf(path);
  const dotted = [section.key, ...path].join('.');
  return `${section.source}:${line}:${col} ${dotted}:`;
}

function report(
  context: Context,
  severity: Finding['severity'],
  rule: InspectionRule,
  message: string,
): void {
  context.findings.push({ severity, rule, message });
}

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
    if (sectionReport.token.rsaBits !== 4096) {
      report(
        context,
        'warning',
        'token-key-size',
        `${at(section, [])} the password is wrapped for a ${sectionReport.token.rsaBits}-bit RSA key, but HPCR encryption certificates are 4096-bit; it was not encrypted for a runtime image`,
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

function describeKey(
  text: string,
  section: ContractSection,
  context: Context,
  path: YamlPath = [],
): KeyReport | undefined {
  let material;
  try {
    material = parsePublicKeyOrCertificate(text, at(section, path).slice(0, -1));
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    report(context, 'error', 'key-invalid', error.message);
    return undefined;
  }
  const keyReport: KeyReport = {
    kind: material.certificate ? 'certificate' : 'public-key',
    fingerprint: fingerprint(material.publicKey),
  };
  const bits = material.publicKey.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined) keyReport.rsaBits = bits;
  if (material.certificate)
    addCertificateDetails(keyReport, material.certificate, section, path, context);
  return keyReport;
}

function addCertificateDetails(
  keyReport: KeyReport,
  certificate: X509Certificate,
  section: ContractSection,
  path: YamlPath,
  context: Context,
): void {
  const notAfter = new Date(certificate.validTo);
  keyReport.subject = certificate.subject.replace(/\n/g, ', ');
  keyReport.notAfter = notAfter.toISOString();
  if (notAfter < context.now) {
    report(
      context,
      'error',
      'contract-expired',
      `${at(section, path)} the signing certificate expired on ${keyReport.notAfter}, so the contract has expired and the runtime refuses it (HPL12007E)`,
    );
  }
}

function fingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex');
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

function inspectSignature(
  sections: Map<string, ContractSection>,
  readable: Map<string, ContractSection>,
  context: Context,
): SignatureReport {
  const signature = sections.get('envWorkloadSignature');
  const env = readable.get('env');
  const signingKey = asMapping(env?.data)?.['signingKey'];
  // an encrypted env may hold the key: only a readable one shows that a half is missing
  const presence =
    env === undefined
      ? undefined
      : signaturePresence({
          signature: signature !== undefined,
          signingKey: typeof signingKey === 'string',
        });
  if (signature === undefined) {
    if (presence === 'key-without-signature') {
      report(
        context,
        'error',
        'key-without-signature',
        `${at(env!, ['signingKey'])} env has a signingKey but the contract has no envWorkloadSignature; sign it with hpvs-ctl contract`,
      );
    }
    return { present: false, check: 'absent' };
  }
  let bytes: Buffer;
  try {
    bytes = decodeContractSignature(signature.value);
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    report(context, 'error', 'signature-invalid', `${at(signature, [])} ${error.message}`);
    return { present: true, check: 'invalid', reason: 'not valid base64' };
  }
  const signatureReport: SignatureReport = {
    present: true,
    rsaBits: bytes.length * 8,
    check: 'not-checked',
  };
  const workload = sections.get('workload');
  if (env === undefined || workload === undefined) {
    signatureReport.reason =
      'env is encrypted; the runtime checks the signature against the signingKey inside it';
    return signatureReport;
  }
  if (presence === 'signature-without-key' || typeof signingKey !== 'string') {
    signatureReport.check = 'invalid';
    signatureReport.reason = 'env has no signingKey';
    report(
      context,
      'error',
      'signature-without-key',
      `${at(signature, [])} the contract is signed but env has no signingKey, so the runtime cannot check the signature; add the signing public key to env`,
    );
    return signatureReport;
  }
  let publicKey: KeyObject;
  try {
    publicKey = parsePublicKeyOrCertificate(signingKey, 'env.signingKey').publicKey;
  } catch {
    // already reported with its position by the env summary
    signatureReport.reason = 'env.signingKey cannot be read';
    return signatureReport;
  }
  const valid = verifyContractSignature(workload.value, env.value, signature.value, publicKey);
  signatureReport.check = valid ? 'valid' : 'invalid';
  if (!valid) {
    signatureReport.reason = 'does not match workload+env under env.signingKey';
    report(
      context,
      'error',
      'signature-mismatch',
      `${at(signature, [])} the signature does not match workload followed by env under env.signingKey; the sections changed after signing or were signed by another key: sign again`,
    );
  }
  return signatureReport;
}
