import type { KeyObject } from 'node:crypto';
import { isMap, isScalar, Scalar, type Document } from 'yaml';
import { parsePublicKeyOrCertificate, type PublicKeyMaterial } from '../../core/crypto/keys.js';
import type { RandomSource } from '../../core/crypto/random-source.js';
import type { TokenPrefix } from '../../core/crypto/section-token.js';
import { HpvsError, type HpvsErrorCode } from '../../core/errors.js';
import { worded, type Notice, type Wording } from '../../core/wording.js';
import { parseYamlDocument } from '../../core/text/parse-yaml.js';
import { systemRandom } from '../../node/random.js';
import {
  assembleContract,
  type SectionInput,
  type SectionStyle,
} from '../../core/contract/assemble-contract.js';

/**
 * The part of `contract --batch` that runs on every thread: an instance's env section from the
 * base one, then encrypting it, injecting signingKey and signing, through the same
 * `assembleContract` as one contract. The checks that need the contract schema run on the main
 * thread, so a thread loads no schema and compiles no validator (that would be most of its
 * start-up).
 */

/** What every job of a batch shares; it crosses to the worker threads as it is. */
export interface BatchShared {
  /** The workload token the first contract made (or the plaintext workload without --cert). */
  workload: SectionInput;
  /** The base env section, a plaintext mapping when any instance changes it. */
  env: SectionInput;
  attestationPublicKey?: SectionInput | undefined;
  encryptTo?: KeyObject | undefined;
  prefix?: TokenPrefix | undefined;
  sectionStyle?: SectionStyle | undefined;
  /** The signing key and the signingKey value (PEM public key, or the expiry certificate). */
  signing?: { privateKey: KeyObject; signingKey: string } | undefined;
}

export interface BatchJob {
  index: number;
  name: string;
  /** `inventory.yaml:7:5`, where the instance starts. */
  at: string;
  /** Environment variables merged into the env section's `env`. */
  env: Record<string, string>;
  /** The instance's env volume seed. */
  seed?: string | undefined;
}

export interface BatchOutcome {
  index: number;
  text?: string;
  /** The instance's plaintext env section, for the main thread to validate. */
  envText?: string;
  /** The sections left plaintext in the contract (it holds secrets anyone can read). */
  plaintextSections?: string[];
  warnings: Notice[];
  error?: { code: HpvsErrorCode | 'INTERNAL'; message: string; wording?: Wording };
}

export function instanceEnvSource(env: SectionInput, job: Pick<BatchJob, 'name'>): string {
  return `${env.source} (instance ${job.name})`;
}

/** Builds one contract; errors come back as data so that one thread serves many jobs. */
export async function buildBatchContract(
  job: BatchJob,
  shared: BatchShared,
  random: RandomSource = systemRandom,
): Promise<BatchOutcome> {
  try {
    const envText = instanceEnvText(shared.env, job);
    const contract = assembleContract({
      workload: shared.workload,
      env: { text: envText, source: instanceEnvSource(shared.env, job) },
      attestationPublicKey: shared.attestationPublicKey,
      encryptTo: shared.encryptTo,
      prefix: shared.prefix,
      sectionStyle: shared.sectionStyle,
      signing: shared.signing && {
        ...shared.signing,
        signingKeyMaterial: signingKeyMaterial(shared.signing.signingKey),
      },
      random,
    });
    return {
      index: job.index,
      text: contract.text,
      envText,
      plaintextSections: contract.plaintextSections,
      warnings: contract.warnings,
    };
  } catch (error) {
    return {
      index: job.index,
      warnings: [],
      error: {
        code: error instanceof HpvsError ? error.code : 'INTERNAL',
        message: `${job.at} instance "${job.name}": ${error instanceof Error ? error.message : String(error)}`,
        ...(error instanceof HpvsError && error.wording !== undefined
          ? { wording: worded`${job.at} instance "${job.name}": ${error}` }
          : {}),
      },
    };
  }
}

// the signingKey every contract of the batch gets, parsed once per thread (it cannot cross to a
// worker parsed: a certificate does not clone); each contract still checks it against the key
let parsedSigningKey: { pem: string; material: PublicKeyMaterial } | undefined;

function signingKeyMaterial(pem: string): PublicKeyMaterial {
  if (parsedSigningKey?.pem !== pem) {
    parsedSigningKey = { pem, material: parsePublicKeyOrCertificate(pem, 'signing key') };
  }
  return parsedSigningKey.material;
}

// parsed once per thread; each instance edits a copy
let parsedBase: { text: string; doc: Document } | undefined;

/**
 * The base env section with the instance's environment variables merged into `env` and its
 * seed in the only env volume. Comments and the rest of the text survive (yaml's document
 * model); the new values are double-quoted strings. The caller
 * has checked that the base section is a plaintext mapping.
 */
export function instanceEnvText(
  base: SectionInput,
  job: Pick<BatchJob, 'name' | 'at' | 'env' | 'seed'>,
): string {
  if (Object.keys(job.env).length === 0 && job.seed === undefined) return base.text;
  if (parsedBase?.text !== base.text)
    parsedBase = { text: base.text, doc: parseYamlDocument(base.text, base.source).doc };
  const doc = parsedBase.doc.clone();
  // always quoted: a plain `yes` or `12:30` is a string in YAML 1.2 but a boolean or a number
  // to a YAML 1.1 reader
  const quoted = (value: string) =>
    Object.assign(doc.createNode(value), { type: Scalar.QUOTE_DOUBLE });
  for (const [key, value] of Object.entries(job.env)) doc.setIn(['env', key], quoted(value));
  if (job.seed !== undefined) {
    const volumes = doc.get('volumes');
    const names = isMap(volumes)
      ? volumes.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''))
      : [];
    if (names.length !== 1) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${job.at} instance "${job.name}": seedFile needs exactly one volume in ${base.source}'s volumes, found ${names.length}`,
      );
    }
    doc.setIn(['volumes', names[0]!, 'seed'], quoted(job.seed));
  }
  return doc.toString({ lineWidth: 0 });
}
