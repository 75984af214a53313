import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { extractTgz } from '../archive/extract-tgz.js';
import { decodeContractSignature, verifyContractSignature } from '../crypto/contract-signature.js';
import { openWithEmptyPassword } from '../crypto/empty-password.js';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { parseSectionToken } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { parseYamlDocuments, yamlValue } from '../text/parse-yaml.js';
import {
  isPlaintextSection,
  parseSectionText,
  parseUserData,
  SECTION_KEYS,
  type SectionForm,
  type ContractSection,
  type YamlPath,
} from './user-data.js';

/**
 * What `hpvs-ctl inspect` reports about a user-data file: the shape of every section, what the
 * plaintext ones configure, and the problems a deployer should know before submitting it. It
 * never holds a secret value (seed, password, key, API key), only whether one is present, so
 * the whole report can be printed or stored.
 */

/** IBM Cloud VPC limits user data to 64 KiB (a warning only: on-prem KVM has no limit). */
export const USER_DATA_LIMIT = 64 * 1024;

export interface Finding {
  severity: 'warning' | 'error';
  /** One line, starting with `file:line:col` where the problem has a place. */
  message: string;
}

export interface TokenReport {
  prefix: string;
  /** Size of the RSA key the password was wrapped for (the runtime's keys are 4096-bit). */
  rsaBits: number;
  /** Bytes of the `openssl enc` data part. */
  dataBytes: number;
  /** The data opens under the empty password: anyone can read it, no key needed. */
  readableWithEmptyPassword: boolean;
}

export interface ImageReport {
  reference: string;
  /** Referenced by `@sha256:` digest. */
  pinned: boolean;
  /** Configured under `workload.images.dct` or `.rhs`, so the runtime checks its signature. */
  signature?: 'dct' | 'rhs';
}

export interface VolumeReport {
  name: string;
  mount?: string;
  filesystem?: string;
  seed: boolean;
  previousSeed: boolean;
  kms?: number;
}

export interface LoggingReport {
  type: 'syslog' | 'logRouter' | 'logDNA' | 'unknown';
  hostname?: string;
  port?: number;
  /** syslog: which of the TLS materials are present (never their contents). */
  serverCa?: boolean;
  clientCertificate?: boolean;
  clientKey?: boolean;
}

export interface KeyReport {
  kind: 'public-key' | 'certificate';
  rsaBits?: number;
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex. */
  fingerprint: string;
  subject?: string;
  notAfter?: string;
}

export interface WorkloadSummary {
  type: 'workload';
  runtime: 'compose' | 'play' | 'confidential-containers' | 'none';
  archiveBytes?: number;
  archiveFiles?: string[];
  images: ImageReport[];
  volumes: VolumeReport[];
  registries: string[];
  envNames: string[];
}

export interface EnvSummary {
  type: 'env';
  logging?: LoggingReport;
  volumes: VolumeReport[];
  registries: string[];
  envNames: string[];
  signingKey?: KeyReport;
}

export interface PublicKeySummary {
  type: 'public-key';
  key: KeyReport;
}

export interface SectionReport {
  key: string;
  form: 'plaintext' | 'encrypted' | 'string' | 'other';
  /**
   * How the value is written in the file: a YAML string (`workload: |` holding the section's
   * YAML, IBM's form), a mapping, an encrypted token, or something else.
   */
  written: SectionForm;
  /** Bytes of the section's value string. */
  bytes: number;
  line: number;
  token?: TokenReport;
  summary?: WorkloadSummary | EnvSummary | PublicKeySummary;
}

export interface SignatureReport {
  present: boolean;
  rsaBits?: number;
  check: 'valid' | 'invalid' | 'not-checked' | 'absent';
  reason?: string;
}

export interface UserDataInspection {
  source: string;
  bytes: number;
  limit: number;
  sections: SectionReport[];
  signature: SignatureReport;
  findings: Finding[];
}

interface Context {
  source: string;
  now: Date;
  findings: Finding[];
}

type Data = Record<string, unknown>;

function asRecord(value: unknown): Data | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Data)
    : undefined;
}

function at(section: ContractSection, path: YamlPath): string {
  const { line, col } = section.positionOf(path);
  const dotted = [section.key, ...path].join('.');
  return `${section.source}:${line}:${col} ${dotted}:`;
}

export async function inspectUserData(
  text: string,
  source: string,
  now: Date,
): Promise<UserDataInspection> {
  const parsed = parseUserData(text, source);
  const context: Context = { source, now, findings: [] };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > USER_DATA_LIMIT) {
    context.findings.push({
      severity: 'warning',
      message: `${source}: ${bytes} bytes, more than the ${USER_DATA_LIMIT} bytes (64 KiB) IBM Cloud VPC accepts as user data (on-prem KVM has no limit); shrink the workload archive`,
    });
  }
  for (const key of ['workload', 'env']) {
    if (!parsed.sections.has(key)) {
      const { line, col } = parsed.keyPosition(key);
      context.findings.push({
        severity: 'error',
        message: `${source}:${line}:${col}: the required section ${key} is missing`,
      });
    }
  }
  const sections: SectionReport[] = [];
  // plaintext seen by inspect (directly or through the empty password), for the signature check
  const readable = new Map<string, ContractSection>();
  for (const section of parsed.sections.values()) {
    if (!SECTION_KEYS.includes(section.key)) {
      context.findings.push({
        severity: 'warning',
        message: `${section.source}:${parsed.keyPosition(section.key).line}:${parsed.keyPosition(section.key).col}: unknown top-level key ${section.key}; the runtime ignores it (typo?)`,
      });
    }
    if (section.key === 'envWorkloadSignature') continue;
    const report = await inspectSection(section, context, readable);
    sections.push(report);
  }
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
    const report: SectionReport = { ...base, form: 'encrypted' };
    let token;
    try {
      token = parseSectionToken(section.value);
    } catch (error) {
      if (!(error instanceof HpvsError)) throw error;
      context.findings.push({ severity: 'error', message: `${at(section, [])} ${error.message}` });
      return report;
    }
    const opened = openWithEmptyPassword(token.encryptedData);
    report.token = {
      prefix: token.prefix,
      rsaBits: token.wrappedPassword.length * 8,
      dataBytes: token.encryptedData.length,
      readableWithEmptyPassword: opened !== undefined,
    };
    if (report.token.rsaBits !== 4096) {
      context.findings.push({
        severity: 'warning',
        message: `${at(section, [])} the password is wrapped for a ${report.token.rsaBits}-bit RSA key, but HPCR encryption certificates are 4096-bit; it was not encrypted for a runtime image`,
      });
    }
    if (opened !== undefined) {
      context.findings.push({
        severity: 'error',
        message: `${at(section, [])} READABLE BY ANYONE: the data opens with the empty password (openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:), as happens when openssl's -pass stdin cuts a random password at a leading 0x0A; re-encrypt it with hpvs-ctl encrypt and treat its secrets as disclosed`,
      });
      const plain = parseSectionText(
        section.key,
        opened.toString('utf8'),
        `${section.source} (${section.key} opened with the empty password)`,
      );
      readable.set(section.key, { ...plain, value: section.value });
      const summary = await summarize(plain, context, false);
      if (summary) report.summary = summary;
    }
    return report;
  }
  if (isPlaintextSection(section) && (section.key === 'workload' || section.key === 'env')) {
    readable.set(section.key, section);
    const report: SectionReport = { ...base, form: 'plaintext' };
    const summary = await summarize(section, context, true);
    if (summary) report.summary = summary;
    return report;
  }
  if (section.key === 'attestationPublicKey' && section.form === 'string') {
    const report: SectionReport = { ...base, form: 'string' };
    const key = describeKey(section.value, section, context);
    if (key) report.summary = { type: 'public-key', key };
    return report;
  }
  context.findings.push({
    severity: 'error',
    message: `${at(section, [])} expected a mapping or an encrypted hyper-protect-basic token, found ${section.form === 'string' ? 'a plain string' : 'a non-string value'}`,
  });
  return { ...base, form: section.form === 'string' ? 'string' : 'other' };
}

async function summarize(
  section: ContractSection,
  context: Context,
  plaintext: boolean,
): Promise<WorkloadSummary | EnvSummary | undefined> {
  const data = asRecord(section.data);
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
  context.findings.push({
    severity: 'warning',
    message: `${at(section, [])} not encrypted, so anyone who can read the user data reads its ${secrets.join(', ')}; encrypt the section with hpvs-ctl encrypt`,
  });
}

function volumeSecrets(volumes: unknown): string[] {
  const found = Object.values(asRecord(volumes) ?? {}).some((volume) => {
    const record = asRecord(volume);
    return record?.['seed'] !== undefined || record?.['previousSeed'] !== undefined;
  });
  return found ? ['volume seeds'] : [];
}

function workloadSecrets(data: Data): string[] {
  return [
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

function envSecrets(data: Data): string[] {
  const logging = asRecord(data['logging']);
  const syslog = asRecord(logging?.['syslog']);
  return [
    ...(syslog?.['key'] ? ['syslog client key'] : []),
    ...(asRecord(logging?.['logRouter'])?.['iamApiKey'] ? ['IAM API key'] : []),
    ...(asRecord(logging?.['logDNA'])?.['ingestionKey'] ? ['ingestion key'] : []),
    ...(data['auths'] ? ['registry passwords'] : []),
    ...volumeSecrets(data['volumes']),
    ...(Object.values(asRecord(data['volumes']) ?? {}).some((volume) => asRecord(volume)?.['kms'])
      ? ['KMS API keys']
      : []),
    ...(data['env'] ? ['environment values'] : []),
  ];
}

function summarizeVolumes(value: unknown): VolumeReport[] {
  return Object.entries(asRecord(value) ?? {}).map(([name, volume]) => {
    const record = asRecord(volume) ?? {};
    const report: VolumeReport = {
      name,
      seed: record['seed'] !== undefined || record['uv-secret-id'] !== undefined,
      previousSeed: record['previousSeed'] !== undefined,
    };
    if (typeof record['mount'] === 'string') report.mount = record['mount'];
    if (typeof record['filesystem'] === 'string') report.filesystem = record['filesystem'];
    if (Array.isArray(record['kms'])) report.kms = record['kms'].length;
    return report;
  });
}

async function summarizeWorkload(
  section: ContractSection,
  data: Data,
  context: Context,
): Promise<WorkloadSummary> {
  const compose = asRecord(data['compose']);
  const play = asRecord(data['play']);
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
    registries: Object.keys(asRecord(data['auths']) ?? {}),
    envNames: Object.keys(asRecord(data['env']) ?? {}),
  };
  const references: string[] = [];
  const archiveOwner = compose ? 'compose' : play ? 'play' : undefined;
  const archive = archiveOwner && asRecord(data[archiveOwner])?.['archive'];
  if (archiveOwner && typeof archive === 'string') {
    const path = [archiveOwner, 'archive'];
    const bytes = Buffer.from(archive.replace(/\s+/g, ''), 'base64');
    summary.archiveBytes = bytes.length;
    let entries: ArchiveEntry[] | undefined;
    try {
      entries = await extractTgz(bytes, { source: `${at(section, path)} archive` });
    } catch (error) {
      if (!(error instanceof HpvsError)) throw error;
      context.findings.push({ severity: 'error', message: error.message });
    }
    if (entries) {
      summary.archiveFiles = entries.filter((entry) => entry.type === 'file').map((e) => e.path);
      for (const image of archiveImages(entries, archiveOwner)) references.push(image);
    }
  }
  for (const list of [play?.['resources'], play?.['templates']]) {
    if (Array.isArray(list))
      for (const object of list) for (const image of podImages(object)) references.push(image);
  }
  const images = asRecord(data['images']);
  const dct = Object.keys(asRecord(images?.['dct']) ?? {});
  const rhs = Object.keys(asRecord(images?.['rhs']) ?? {});
  for (const reference of [...new Set(references)]) {
    const image: ImageReport = { reference, pinned: reference.includes('@sha256:') };
    if (dct.some((name) => namesImage(name, reference))) image.signature = 'dct';
    else if (rhs.some((name) => namesImage(name, reference))) image.signature = 'rhs';
    summary.images.push(image);
    if (
      !image.pinned &&
      !image.signature &&
      !reference.includes('${') &&
      !reference.includes('{{')
    ) {
      context.findings.push({
        severity: 'warning',
        message: `${at(section, archiveOwner ? [archiveOwner] : [])} image "${reference}" has no @sha256: digest and no signature under workload.images; the runtime refuses it: pin it as name@sha256:<digest>`,
      });
    }
  }
  return summary;
}

function namesImage(name: string, reference: string): boolean {
  return reference === name || reference.startsWith(`${name}:`) || reference.startsWith(`${name}@`);
}

function archiveImages(entries: readonly ArchiveEntry[], kind: 'compose' | 'play'): string[] {
  const images: string[] = [];
  for (const entry of entries) {
    if (entry.type !== 'file' || entry.path.includes('/') || !/\.ya?ml$/.test(entry.path)) continue;
    const text = Buffer.from(entry.data).toString('utf8');
    if (kind === 'compose') {
      if (!/^docker-compose\.ya?ml$/.test(entry.path)) continue;
      const services = asRecord(asRecord(readableYaml(text, entry.path)[0])?.['services']);
      for (const service of Object.values(services ?? {})) {
        const image = asRecord(service)?.['image'];
        if (typeof image === 'string') images.push(image);
      }
    } else {
      for (const value of readableYaml(text, entry.path))
        for (const image of podImages(value)) images.push(image);
    }
  }
  return images;
}

/** The documents' values; none when the text is not YAML this report could read. */
function readableYaml(text: string, source: string): unknown[] {
  try {
    const parsed = parseYamlDocuments(text, source);
    return parsed.documents.map((doc) => yamlValue(parsed, doc));
  } catch (error) {
    if (error instanceof HpvsError && error.code === 'YAML_INVALID') return [];
    throw error;
  }
}

function podImages(object: unknown): string[] {
  const spec = asRecord(asRecord(object)?.['spec']);
  return ['containers', 'initContainers'].flatMap((field) => {
    const containers = spec?.[field];
    if (!Array.isArray(containers)) return [];
    return containers
      .map((container) => asRecord(container)?.['image'])
      .filter((image): image is string => typeof image === 'string');
  });
}

function summarizeEnv(section: ContractSection, data: Data, context: Context): EnvSummary {
  const summary: EnvSummary = {
    type: 'env',
    volumes: summarizeVolumes(data['volumes']),
    registries: Object.keys(asRecord(data['auths']) ?? {}),
    envNames: Object.keys(asRecord(data['env']) ?? {}),
  };
  const logging = asRecord(data['logging']);
  if (logging) summary.logging = summarizeLogging(section, logging, context);
  if (typeof data['signingKey'] === 'string') {
    const key = describeKey(data['signingKey'], section, context, ['signingKey']);
    if (key) summary.signingKey = key;
  }
  return summary;
}

function summarizeLogging(
  section: ContractSection,
  logging: Data,
  context: Context,
): LoggingReport {
  const [type] = Object.keys(logging);
  const target = asRecord(type === undefined ? undefined : logging[type]) ?? {};
  const report: LoggingReport = {
    type: type === 'syslog' || type === 'logRouter' || type === 'logDNA' ? type : 'unknown',
  };
  if (typeof target['hostname'] === 'string') report.hostname = target['hostname'];
  if (typeof target['port'] === 'number') report.port = target['port'];
  if (type === 'syslog') {
    report.serverCa = typeof target['server'] === 'string';
    report.clientCertificate = typeof target['cert'] === 'string';
    report.clientKey = typeof target['key'] === 'string';
  }
  if (type === 'logDNA') {
    context.findings.push({
      severity: 'warning',
      message: `${at(section, ['logging', 'logDNA'])} logDNA is the legacy logging target; use logRouter (IBM Cloud Logs) or syslog`,
    });
  }
  return report;
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
    context.findings.push({ severity: 'error', message: error.message });
    return undefined;
  }
  const report: KeyReport = {
    kind: material.certificate ? 'certificate' : 'public-key',
    fingerprint: fingerprint(material.publicKey),
  };
  const bits = material.publicKey.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined) report.rsaBits = bits;
  if (material.certificate)
    addCertificateDetails(report, material.certificate, section, path, context);
  return report;
}

function addCertificateDetails(
  report: KeyReport,
  certificate: X509Certificate,
  section: ContractSection,
  path: YamlPath,
  context: Context,
): void {
  const notAfter = new Date(certificate.validTo);
  report.subject = certificate.subject.replace(/\n/g, ', ');
  report.notAfter = notAfter.toISOString();
  if (notAfter < context.now) {
    context.findings.push({
      severity: 'error',
      message: `${at(section, path)} the signing certificate expired on ${report.notAfter}, so the contract has expired and the runtime refuses it (HPL12007E)`,
    });
  }
}

function fingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

function inspectSignature(
  sections: Map<string, ContractSection>,
  readable: Map<string, ContractSection>,
  context: Context,
): SignatureReport {
  const signature = sections.get('envWorkloadSignature');
  const env = readable.get('env');
  const signingKey = asRecord(env?.data)?.['signingKey'];
  if (signature === undefined) {
    if (typeof signingKey === 'string') {
      context.findings.push({
        severity: 'error',
        message: `${at(env!, ['signingKey'])} env has a signingKey but the contract has no envWorkloadSignature; sign it with hpvs-ctl contract`,
      });
    }
    return { present: false, check: 'absent' };
  }
  let bytes: Buffer;
  try {
    bytes = decodeContractSignature(signature.value);
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    context.findings.push({ severity: 'error', message: `${at(signature, [])} ${error.message}` });
    return { present: true, check: 'invalid', reason: 'not valid base64' };
  }
  const report: SignatureReport = {
    present: true,
    rsaBits: bytes.length * 8,
    check: 'not-checked',
  };
  const workload = sections.get('workload');
  if (env === undefined || workload === undefined) {
    report.reason =
      'env is encrypted; the runtime checks the signature against the signingKey inside it';
    return report;
  }
  if (typeof signingKey !== 'string') {
    report.check = 'invalid';
    report.reason = 'env has no signingKey';
    context.findings.push({
      severity: 'error',
      message: `${at(signature, [])} the contract is signed but env has no signingKey, so the runtime cannot check the signature; add the signing public key to env`,
    });
    return report;
  }
  let publicKey: KeyObject;
  try {
    publicKey = parsePublicKeyOrCertificate(signingKey, 'env.signingKey').publicKey;
  } catch {
    // already reported with its position by the env summary
    report.reason = 'env.signingKey cannot be read';
    return report;
  }
  const valid = verifyContractSignature(workload.value, env.value, signature.value, publicKey);
  report.check = valid ? 'valid' : 'invalid';
  if (!valid) {
    report.reason = 'does not match workload+env under env.signingKey';
    context.findings.push({
      severity: 'error',
      message: `${at(signature, [])} the signature does not match workload followed by env under env.signingKey; the sections changed after signing or were signed by another key: sign again`,
    });
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// text rendering

export function formatInspection(report: UserDataInspection): string {
  const lines: string[] = [];
  const percent = Math.round((report.bytes / report.limit) * 100);
  lines.push(
    `${report.source}: ${report.bytes} bytes (${percent}% of the ${report.limit}-byte IBM Cloud user-data limit)`,
  );
  for (const section of report.sections) {
    lines.push('', `${section.key} (line ${section.line}): ${describeForm(section)}`);
    const summary = section.summary;
    // no push(...list): a section with 300,000 volumes or images would overflow the stack
    if (summary?.type === 'workload') for (const line of formatWorkload(summary)) lines.push(line);
    if (summary?.type === 'env') for (const line of formatEnv(summary)) lines.push(line);
    if (summary?.type === 'public-key') lines.push(`  ${formatKey(summary.key)}`);
  }
  lines.push('', `envWorkloadSignature: ${formatSignature(report.signature)}`);
  if (report.findings.length > 0) {
    lines.push('');
    for (const finding of report.findings) lines.push(`${finding.severity}: ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeForm(section: SectionReport): string {
  if (section.form === 'encrypted') {
    if (!section.token) return `encrypted, ${section.bytes} bytes, MALFORMED token`;
    const token = section.token;
    const openness = token.readableWithEmptyPassword
      ? 'READABLE BY ANYONE (opens with the empty password)'
      : 'does not open with the empty password';
    return `encrypted (${token.prefix}), ${section.bytes} bytes, RSA-${token.rsaBits} password block, ${token.dataBytes} bytes of data, ${openness}`;
  }
  if (section.form === 'plaintext') {
    const written = section.written === 'string' ? '| block string' : 'mapping';
    return `plaintext (${written}), ${section.bytes} bytes`;
  }
  return `${section.form}, ${section.bytes} bytes`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

function formatVolumes(volumes: readonly VolumeReport[]): string[] {
  return volumes.map((volume) => {
    const parts = [
      volume.mount && `mount ${volume.mount}`,
      volume.filesystem,
      volume.seed ? 'seed set' : 'NO seed',
      volume.previousSeed && 'previousSeed set',
      volume.kms !== undefined && `${volume.kms} KMS key(s)`,
    ].filter(Boolean);
    return `  volume ${volume.name}: ${parts.join(', ')}`;
  });
}

function formatWorkload(summary: WorkloadSummary): string[] {
  const lines = [
    `  runtime: ${summary.runtime}${summary.archiveBytes !== undefined ? `, archive ${summary.archiveBytes} bytes` : ''}${summary.archiveFiles ? ` (${list(summary.archiveFiles)})` : ''}`,
  ];
  for (const image of summary.images) {
    const how = image.signature
      ? `signature checked (${image.signature})`
      : image.pinned
        ? 'pinned by digest'
        : 'NOT pinned';
    lines.push(`  image ${image.reference}: ${how}`);
  }
  for (const line of formatVolumes(summary.volumes)) lines.push(line);
  lines.push(`  registries: ${list(summary.registries)}`);
  lines.push(`  environment variables: ${list(summary.envNames)}`);
  return lines;
}

function formatEnv(summary: EnvSummary): string[] {
  const lines: string[] = [];
  const logging = summary.logging;
  if (logging) {
    const target = `${logging.hostname ?? '?'}${logging.port !== undefined ? `:${logging.port}` : ''}`;
    const tls =
      logging.type === 'syslog'
        ? ` (CA ${logging.serverCa ? 'set' : 'missing'}, client certificate ${logging.clientCertificate ? 'set' : 'missing'}, client key ${logging.clientKey ? 'set' : 'missing'})`
        : '';
    lines.push(`  logging: ${logging.type} to ${target}${tls}`);
  } else {
    lines.push('  logging: none');
  }
  for (const line of formatVolumes(summary.volumes)) lines.push(line);
  lines.push(`  registries: ${list(summary.registries)}`);
  lines.push(`  environment variables: ${list(summary.envNames)}`);
  if (summary.signingKey) lines.push(`  signingKey: ${formatKey(summary.signingKey)}`);
  return lines;
}

function formatKey(key: KeyReport): string {
  const kind = key.kind === 'certificate' ? 'certificate' : 'public key';
  const bits = key.rsaBits !== undefined ? `RSA-${key.rsaBits} ` : '';
  const expiry = key.notAfter ? `, ${key.subject}, expires ${key.notAfter}` : '';
  return `${bits}${kind}, sha256 ${key.fingerprint}${expiry}`;
}

function formatSignature(signature: SignatureReport): string {
  if (!signature.present) return 'absent';
  const bits = signature.rsaBits !== undefined ? `RSA-${signature.rsaBits}, ` : '';
  const check =
    signature.check === 'valid'
      ? 'valid for env.signingKey'
      : signature.check === 'invalid'
        ? `INVALID: ${signature.reason}`
        : `not checked: ${signature.reason}`;
  return `present, ${bits}${check}`;
}
