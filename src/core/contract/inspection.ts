import type { SectionForm } from './user-data.js';

/**
 * What `hpvs-ctl inspect` reports about a user-data file: the shape of every section, what the
 * plaintext ones configure, and the problems a deployer should know before submitting it. It
 * never holds a secret value (seed, password, key, API key), only whether one is present, so
 * the whole report can be printed or stored.
 */

/** What a finding of inspect is about: callers switch on this, never on the message. */
export type InspectionRule =
  | 'user-data-size'
  | 'section-missing'
  | 'unknown-key'
  | 'section-form'
  | 'token-malformed'
  | 'token-key-size'
  | 'readable-with-empty-password'
  | 'plaintext-secrets'
  | 'archive-invalid'
  | 'image-not-trusted'
  | 'logdna-legacy'
  | 'key-invalid'
  | 'contract-expired'
  | 'volume-names-match'
  | 'signature-invalid'
  | 'signature-without-key'
  | 'key-without-signature'
  | 'signature-mismatch';

export interface Finding {
  severity: 'warning' | 'error';
  rule: InspectionRule;
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
  /** Referenced by a full `@sha256:` digest (`isPinnedImage`). */
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
