import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import type { TokenPrefix } from '../crypto/section-token.js';
import { HpvsError, type HpvsErrorCode } from '../errors.js';
import { systemRandom } from '../io/random.js';
import { findWorkerUrl, runInWorkers } from '../io/worker-pool.js';
import { SAFE_FILE_NAME } from '../pki/key-pair-files.js';
import { PATTERNS, type Profile } from '../schema/contract-schema.js';
import { formatProblem } from '../schema/problems.js';
import type { SectionInput } from './assemble-contract.js';
import {
  createContract,
  type ContractExpiryInput,
  type CreateContractOptions,
} from './create-contract.js';
import { parseSectionText, parseUserData } from './user-data.js';

/**
 * `hpvs-ctl contract --batch`: one signed, encrypted user-data per instance of an inventory,
 * each from the same workload and a per-instance copy of the base env section (extra
 * environment variables, its own volume seed). The contracts are independent, so they are
 * built on all cores.
 */

export interface InventoryInstance {
  name: string;
  env: Record<string, string>;
  /** Path of the file holding this instance's env volume seed, as written in the inventory. */
  seedFile?: string;
  /** `inventory.yaml:7:5`, where the instance starts, for messages. */
  at: string;
}

const ENV_KEY = new RegExp(PATTERNS.envKey);
const INSTANCE_KEYS = ['name', 'env', 'seedFile'];

/** Reads `instances: [{name, env?, seedFile?}]`, reporting problems as `file:line:col`. */
export function parseInventory(text: string, source: string): InventoryInstance[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (node: Node | null | undefined, fallback = 0): string => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? fallback);
    return `${source}:${line}:${col}`;
  };
  const fail = (where: string, message: string): never => {
    throw new HpvsError('CONTRACT_INVALID', `${where} ${message}`);
  };
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    fail(`${source}:${line}:${col}:`, `invalid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const root = doc.contents as Node | null;
  if (!isMap(root))
    return fail(`${at(root)}:`, 'the inventory must be a mapping: instances: [...]');
  for (const pair of root.items as Pair<Node, Node>[]) {
    if (scalarText(pair.key) !== 'instances') {
      fail(
        `${at(pair.key)} ${scalarText(pair.key)}:`,
        'unknown key; the inventory has only instances',
      );
    }
  }
  const list = root.get('instances', true) as Node | undefined;
  if (!isSeq(list) || list.items.length === 0) {
    return fail(
      `${at(list ?? root)} instances:`,
      'must be a non-empty list of {name, env?, seedFile?}',
    );
  }
  const seen = new Map<string, string>();
  return (list.items as Node[]).map((item, index) => {
    const path = `instances[${index}]`;
    if (!isMap(item))
      return fail(`${at(item)} ${path}:`, 'must be a mapping {name, env?, seedFile?}');
    for (const pair of item.items as Pair<Node, Node>[]) {
      const key = scalarText(pair.key);
      if (!INSTANCE_KEYS.includes(key)) {
        fail(`${at(pair.key)} ${path}.${key}:`, `unknown key; use ${INSTANCE_KEYS.join(', ')}`);
      }
    }
    const nameNode = item.get('name', true) as Node | undefined;
    const name = isScalar(nameNode) ? nameNode.value : undefined;
    if (typeof name !== 'string' || !SAFE_FILE_NAME.test(name)) {
      fail(
        `${at(nameNode ?? item)} ${path}.name:`,
        'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the output file <name>.yaml)',
      );
    }
    const validName = name as string;
    const clash = seen.get(validName.toLowerCase());
    if (clash !== undefined) {
      fail(
        `${at(nameNode)} ${path}.name:`,
        `"${validName}" is already used at ${clash}; names must be unique`,
      );
    }
    seen.set(validName.toLowerCase(), at(nameNode));
    const instance: InventoryInstance = { name: validName, env: {}, at: at(item) };
    const envNode = item.get('env', true) as Node | undefined;
    if (envNode !== undefined) {
      if (!isMap(envNode))
        fail(`${at(envNode)} ${path}.env:`, 'must be a mapping of NAME: "value"');
      for (const pair of (envNode as { items: Pair<Node, Node>[] }).items) {
        const key = scalarText(pair.key);
        if (!ENV_KEY.test(key)) {
          fail(`${at(pair.key)} ${path}.env.${key}:`, `the name must match ${PATTERNS.envKey}`);
        }
        const value = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof value !== 'string') {
          fail(
            `${at(pair.value ?? pair.key)} ${path}.env.${key}:`,
            'must be a string; quote numbers and booleans ("8080", "true")',
          );
        }
        instance.env[key] = value as string;
      }
    }
    const seedNode = item.get('seedFile', true) as Node | undefined;
    if (seedNode !== undefined) {
      const seedFile = isScalar(seedNode) ? seedNode.value : undefined;
      if (typeof seedFile !== 'string' || seedFile === '') {
        fail(`${at(seedNode)} ${path}.seedFile:`, 'must be the path of the file holding the seed');
      }
      instance.seedFile = seedFile as string;
    }
    return instance;
  });
}

function scalarText(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node);
}

/**
 * The base env section with the instance's environment variables merged into `env` and its
 * seed in the only env volume. Comments and the rest of the text survive (yaml's document
 * model); values are written as strings, quoted where YAML would read a number.
 */
export function instanceEnvText(
  base: SectionInput,
  instance: Pick<InventoryInstance, 'name' | 'env' | 'at'>,
  seed?: string,
): string {
  const changes = Object.keys(instance.env).length > 0 || seed !== undefined;
  if (!changes) return base.text;
  const section = parseSectionText('env', base.text, base.source);
  if (section.form !== 'mapping') {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${instance.at} instance "${instance.name}": ${base.source} is not a plaintext env section, so its env and seed cannot be set per instance`,
    );
  }
  const doc = parseDocument(base.text);
  for (const [key, value] of Object.entries(instance.env)) doc.setIn(['env', key], value);
  if (seed !== undefined) {
    const volumes = doc.get('volumes');
    const names = isMap(volumes) ? volumes.items.map((pair) => scalarText(pair.key)) : [];
    if (names.length !== 1) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${instance.at} instance "${instance.name}": seedFile needs exactly one volume in ${base.source}'s volumes, found ${names.length}`,
      );
    }
    doc.setIn(['volumes', names[0]!, 'seed'], seed);
  }
  return doc.toString({ lineWidth: 0 });
}

/** What every contract of a batch shares; it crosses to the worker threads as it is. */
export interface BatchShared {
  workload: SectionInput;
  attestationPublicKey?: SectionInput | undefined;
  /** The encryption certificate or public key as PEM (re-parsed in each thread). */
  encryption?: { pem: string; source: string; allowExpired?: boolean | undefined } | undefined;
  signing?: { privateKey: KeyObject; expiry?: ContractExpiryInput | undefined } | undefined;
  profile?: Profile | undefined;
  prefix?: TokenPrefix | undefined;
  /** Milliseconds since the epoch: one clock for the whole batch. */
  now: number;
}

export interface BatchJob {
  index: number;
  name: string;
  at: string;
  env: SectionInput;
  /** Replaces the shared workload: its token, once the first contract has encrypted it. */
  workload?: SectionInput | undefined;
}

export interface BatchOutcome {
  index: number;
  text?: string;
  warnings: string[];
  error?: { code: HpvsErrorCode | 'INTERNAL'; message: string };
}

/** The transferable form of the options `loadContractOptions` read for one contract. */
export function batchShared(options: CreateContractOptions): BatchShared {
  const material = options.encryption?.material;
  return {
    workload: options.workload,
    attestationPublicKey: options.attestationPublicKey,
    encryption: material && {
      pem: material.certificate
        ? material.certificate.toString()
        : (material.publicKey.export({ format: 'pem', type: 'spki' }) as string),
      source: options.encryption!.source,
      allowExpired: options.encryption!.allowExpired,
    },
    signing: options.signing,
    profile: options.profile,
    prefix: options.prefix,
    now: options.now.getTime(),
  };
}

/** Builds one contract of a batch; errors come back as data so one thread serves many jobs. */
export async function buildBatchContract(
  job: BatchJob,
  shared: BatchShared,
): Promise<BatchOutcome> {
  try {
    const contract = await createContract({
      workload: job.workload ?? shared.workload,
      env: job.env,
      attestationPublicKey: shared.attestationPublicKey,
      encryption: shared.encryption && {
        material: parsePublicKeyOrCertificate(shared.encryption.pem, shared.encryption.source),
        source: shared.encryption.source,
        allowExpired: shared.encryption.allowExpired,
      },
      signing: shared.signing,
      profile: shared.profile,
      prefix: shared.prefix,
      now: new Date(shared.now),
      random: systemRandom,
    });
    return {
      index: job.index,
      text: contract.text,
      warnings: [...contract.problems.map(formatProblem), ...contract.warnings],
    };
  } catch (error) {
    return {
      index: job.index,
      warnings: [],
      error: {
        code: error instanceof HpvsError ? error.code : 'INTERNAL',
        message: `${job.at} instance "${job.name}": ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}

/** The workload token of a built contract, when the shared workload was plaintext. */
function reusableWorkload(text: string, shared: BatchShared): SectionInput | undefined {
  if (shared.encryption === undefined) return undefined;
  const workload = parseUserData(text, 'batch').sections.get('workload');
  if (workload?.form !== 'token') return undefined;
  return { text: workload.value, source: shared.workload.source };
}

export interface BatchOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Builds every job's contract, on worker threads when the build provides the worker and the
 * batch is big enough to pay for starting them. Fails on the first instance (in inventory
 * order) that fails, so a batch is all or nothing.
 */
export async function createContractBatch(
  jobs: readonly BatchJob[],
  shared: BatchShared,
  options: BatchOptions = {},
): Promise<{ name: string; text: string; warnings: string[] }[]> {
  if (jobs.length === 0) return [];
  const outcomes: BatchOutcome[] = new Array(jobs.length);
  let done = 0;
  const record = (outcome: BatchOutcome) => {
    outcomes[outcome.index] = outcome;
    options.onProgress?.(++done, jobs.length);
  };
  const threads = options.threads ?? availableParallelism();
  const url = findWorkerUrl(import.meta.url, 'contract/contract-batch.worker.js');
  // The first contract is built here, checking the workload and its cross-section rules in
  // full; the others reuse its encrypted workload, as a deployer reuses the one token the
  // provider hands over. That halves the encryption work.
  const buildRest = async (): Promise<BatchJob[]> => {
    const first = await buildBatchContract(jobs[0]!, shared);
    record(first);
    if (first.text === undefined) return [];
    const workload = reusableWorkload(first.text, shared);
    return jobs.slice(1).map((job) => (workload ? { ...job, workload } : job));
  };
  // each thread loads the schema and x509 modules first, worth it from a few contracts on
  if (url === undefined || threads < 2 || jobs.length < 4) {
    for (const job of await buildRest()) record(await buildBatchContract(job, shared));
  } else {
    // the threads start (and load their modules) while the first contract is being built
    let provide: (rest: Promise<BatchJob[]>) => void = () => undefined;
    const pool = runInWorkers(
      url,
      shared,
      new Promise<BatchJob[]>((resolve) => (provide = resolve)),
      threads,
      record,
    );
    provide(buildRest());
    await pool;
  }
  const failed = outcomes.find((outcome) => outcome.error !== undefined);
  if (failed?.error) {
    // a failure without a code is a bug, and the CLI reports it as one
    if (failed.error.code === 'INTERNAL') throw new Error(failed.error.message);
    throw new HpvsError(failed.error.code, failed.error.message);
  }
  return outcomes.map((outcome, index) => ({
    name: jobs[index]!.name,
    text: outcome.text!,
    warnings: outcome.warnings,
  }));
}
