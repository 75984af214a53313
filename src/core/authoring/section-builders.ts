import { Document, Scalar, visit } from 'yaml';
import { normalizePem } from '../crypto/pem-text.js';
import { changesTypeInYaml11 } from '../schema/yaml11-scalars.js';

/**
 * Builders for the plaintext `workload` and `env` sections. They write YAML text whose values
 * are always strings where the runtime wants strings (so `8080` is quoted), PEM material as
 * literal block scalars, one-line base64, and keys in a fixed order.
 */

export interface Credential {
  username: string;
  password: string;
}

export interface WorkloadVolumeInput {
  seed: string;
  mount?: string | undefined;
  filesystem?: 'ext4' | 'xfs' | 'btrfs' | undefined;
  previousSeed?: string | undefined;
}

export interface WorkloadSectionInput {
  compose?: { archive: string } | undefined;
  play?:
    | {
        archive?: string | undefined;
        resources?: unknown[] | undefined;
        templates?: unknown[] | undefined;
      }
    | undefined;
  auths?: Record<string, Credential> | undefined;
  images?:
    | {
        dct?: Record<string, { notary: string; publicKey: string }> | undefined;
        rhs?: Record<string, { publicKey: string }> | undefined;
      }
    | undefined;
  volumes?: Record<string, WorkloadVolumeInput> | undefined;
  env?: Record<string, string> | undefined;
}

export interface SyslogInput {
  hostname: string;
  port?: number | undefined;
  /** PEM of the CA certificate(s) that signed the syslog server's certificate. */
  server: string;
  /** PEM of the client certificate and key for mutual TLS. */
  cert?: string | undefined;
  key?: string | undefined;
}

export type LoggingInput =
  | { syslog: SyslogInput }
  | { logRouter: { hostname: string; iamApiKey: string; port?: number | undefined } }
  | { logDNA: { hostname: string; ingestionKey: string; port?: number | undefined } };

export interface KmsInput {
  apiKey: string;
  crn: string;
  type?: 'public' | 'private' | undefined;
}

export interface EnvVolumeInput {
  seed: string;
  previousSeed?: string | undefined;
  kms?: KmsInput[] | undefined;
  kmsTimeout?: number | undefined;
}

export interface EnvSectionInput {
  logging: LoggingInput;
  volumes?: Record<string, EnvVolumeInput> | undefined;
  env?: Record<string, string> | undefined;
  auths?: Record<string, Credential> | undefined;
  /** PEM public key or certificate of the contract signing key. */
  signingKey?: string | undefined;
}

/** Drops undefined members so they do not appear as `key: null`. */
function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, member]) => member !== undefined),
  ) as Partial<T>;
}

function mapValues<T, R>(
  map: Record<string, T> | undefined,
  transform: (value: T) => R,
): Record<string, R> | undefined {
  return (
    map && Object.fromEntries(Object.entries(map).map(([key, value]) => [key, transform(value)]))
  );
}

/** Serialises a section: multi-line strings as literal blocks, nothing folded. */
export function sectionYaml(value: Record<string, unknown>): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      if (node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
      // `yes` or `12:30` stay strings for every reader only when quoted
      else if (changesTypeInYaml11(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}

export function buildWorkloadSection(input: WorkloadSectionInput): string {
  const volumes = mapValues(input.volumes, (volume) =>
    compact({
      seed: volume.seed,
      previousSeed: volume.previousSeed,
      mount: volume.mount,
      filesystem: volume.filesystem,
    }),
  );
  return sectionYaml(
    compact({
      type: 'workload',
      auths: input.auths,
      compose: input.compose,
      play: input.play && compact(input.play),
      images: input.images && compact(input.images),
      volumes,
      env: input.env,
    }),
  );
}

export function buildEnvSection(input: EnvSectionInput): string {
  const logging =
    'syslog' in input.logging
      ? {
          syslog: compact({
            hostname: input.logging.syslog.hostname,
            port: input.logging.syslog.port,
            server: normalizePem(input.logging.syslog.server),
            cert: input.logging.syslog.cert && normalizePem(input.logging.syslog.cert),
            key: input.logging.syslog.key && normalizePem(input.logging.syslog.key),
          }),
        }
      : 'logRouter' in input.logging
        ? { logRouter: compact(input.logging.logRouter) }
        : { logDNA: compact(input.logging.logDNA) };
  const volumes = mapValues(input.volumes, (volume) =>
    compact({
      seed: volume.seed,
      previousSeed: volume.previousSeed,
      kms: volume.kms?.map((entry) => compact(entry)),
      kmsTimeout: volume.kmsTimeout,
    }),
  );
  return sectionYaml(
    compact({
      type: 'env',
      logging,
      auths: input.auths,
      volumes,
      env: input.env,
      signingKey: input.signingKey && normalizePem(input.signingKey),
    }),
  );
}
