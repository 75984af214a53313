import { availableParallelism } from 'node:os';
import { sayNotice, worded, type Notice } from '../../core/wording.js';
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { encryptSection } from '../../core/crypto/encrypt-section.js';
import { looksLikeSectionToken } from '../../core/crypto/section-token.js';
import { HpvsError } from '../../core/errors.js';
import { parseYamlDocument } from '../../core/text/parse-yaml.js';
import { findWorkerUrl, runInWorkers, type StartedWorkers } from '../../node/worker-pool.js';
import { SAFE_FILE_NAME } from '../../core/pki/key-pair-files.js';
import { PATTERNS } from '../../core/schema/contract-schema.js';
import { formatProblem, problemText } from '../../core/schema/problems.js';
import { validateSection } from '../../core/schema/validate-contract.js';
import {
  buildBatchContract,
  instanceEnvSource,
  instanceEnvText,
  type BatchJob,
  type BatchOutcome,
  type BatchShared,
} from './contract-batch-job.js';
import {
  checkContract,
  contractSigning,
  type CreateContractOptions,
} from '../../core/authoring/create-contract.js';
import type { SectionInput } from '../../core/contract/assemble-contract.js';
import { parseSectionText } from '../../core/contract/user-data.js';

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
  const parsed = parseYamlDocument(text, source);
  const doc = parsed.doc;
  const at = (node: Node | null | undefined, fallback = 0): string =>
    parsed.at(node?.range?.[0] ?? fallback);
  const fail = (where: string, message: string): never => {
    throw new HpvsError('CONTRACT_INVALID', `${where} ${message}`);
  };
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
    const problem = instanceNameProblem(name, seen);
    if (problem !== undefined) fail(`${at(nameNode ?? item)} ${path}.name:`, problem);
    const validName = name as string;
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

/**
 * Why `name` cannot name an instance, or undefined: it names the output file `<name>.yaml`, so
 * it is a safe file name, unique whatever its case among those `seen` (lower case -> where).
 */
export function instanceNameProblem(
  name: unknown,
  seen: ReadonlyMap<string, string>,
): string | undefined {
  if (typeof name !== 'string' || !SAFE_FILE_NAME.test(name)) {
    return 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the output file <name>.yaml)';
  }
  const clash = seen.get(name.toLowerCase());
  return clash === undefined
    ? undefined
    : `"${name}" is already used at ${clash}; names must be unique`;
}

function scalarText(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node);
}

export interface BatchOptions {
  /**
   * This thread and `threads - 1` workers (all cores by default). The workers draw their own
   * randomness: `base.random` reaches only the contracts built here, so a caller that injects
   * randomness runs one thread.
   */
  threads?: number;
  /**
   * Workers the caller started early (`startWorkers` with the batch worker): the pool uses
   * them, and the batch ends those it does not use.
   */
  started?: StartedWorkers | undefined;
  onProgress?: (done: number, total: number) => void;
}

export interface BatchContract {
  name: string;
  text: string;
  /** The sections left plaintext: the contract then holds secrets and is written 0600. */
  plaintextSections: string[];
}

export interface BatchResult {
  contracts: BatchContract[];
  /** Validation findings and assembly warnings, each once. */
  warnings: Notice[];
}

/**
 * Builds every instance's contract from `base` (the options of one contract, as
 * `loadContractOptions` reads them), with each job's environment variables and seed, through
 * the steps of `createContract`: the checks (certificate, both sections of the first instance
 * and the rules between them) run on this thread while the contracts are assembled on this
 * thread and `threads - 1` workers; each instance's env section is validated here as it comes
 * back. The workload is encrypted once and the signingKey made once, as a deployer reuses the
 * one token a provider hands over. All or nothing: the first failing instance (in inventory
 * order) fails the batch.
 */
export async function createContractBatch(
  jobs: readonly BatchJob[],
  base: CreateContractOptions,
  options: BatchOptions = {},
): Promise<BatchResult> {
  try {
    return await buildBatch(jobs, base, options);
  } finally {
    // the early workers the pool did not take (it takes them when it runs)
    options.started?.stop();
  }
}

async function buildBatch(
  jobs: readonly BatchJob[],
  base: CreateContractOptions,
  options: BatchOptions,
): Promise<BatchResult> {
  if (jobs.length === 0) return { contracts: [], warnings: [] };
  const [firstJob] = jobs as [BatchJob, ...BatchJob[]];
  if (jobs.some((job) => Object.keys(job.env).length > 0 || job.seed !== undefined)) {
    const section = parseSectionText('env', base.env.text, base.env.source);
    if (section.form !== 'mapping') {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${base.env.source}: not a plaintext env section, so the inventory cannot set env values or seeds per instance`,
      );
    }
  }
  const { signing } = await contractSigning(base);
  const shared: BatchShared = {
    workload: sealedWorkload(base),
    env: base.env,
    attestationPublicKey: base.attestationPublicKey,
    encryptTo: base.encryption?.material.publicKey,
    prefix: base.prefix,
    sectionStyle: base.sectionStyle,
    signing,
  };
  // each once, by what it says
  const warnings = new Map<string, Notice>();
  const outcomes: BatchOutcome[] = [];
  const validations: Promise<void>[] = [];
  const record = (outcome: BatchOutcome) => {
    outcomes.push(outcome);
    if (outcome.envText !== undefined) {
      validations.push(validateInstanceEnv(outcome, jobs, base, warnings));
    }
    options.onProgress?.(outcomes.length, jobs.length);
  };
  const threads = options.threads ?? availableParallelism();
  const url = findWorkerUrl(import.meta.url, 'app/contract-batch/contract-batch.worker.js');
  const abort = new AbortController();
  const pool =
    url !== undefined && threads >= 2 && jobs.length >= 4
      ? runInWorkers(url, shared, jobs, threads - 1, record, {
          here: (job) => buildBatchContract(job, shared, base.random),
          signal: abort.signal,
          started: options.started,
        })
      : undefined;
  // the pool hands out the jobs in a later tick; the checks compile the schema synchronously,
  // which would keep the workers waiting for that long
  if (pool) await new Promise((resolve) => setImmediate(resolve));
  const checks = checkContract({
    ...base,
    env: {
      text: instanceEnvText(base.env, firstJob),
      source: instanceEnvSource(base.env, firstJob),
    },
  }).catch((error: unknown) => {
    abort.abort(error);
    throw error;
  });
  if (pool) {
    await Promise.all([pool, checks]);
  } else {
    await checks;
    for (const job of jobs) record(await buildBatchContract(job, shared, base.random));
  }
  for (const problem of await checks) addNotice(warnings, problemText(problem));
  await Promise.all(validations);
  outcomes.sort((a, b) => a.index - b.index);
  const failed = outcomes.find((outcome) => outcome.error !== undefined);
  if (failed?.error) {
    // a failure without a code is a bug, and the CLI reports it as one
    if (failed.error.code === 'INTERNAL') throw new Error(failed.error.message);
    throw new HpvsError(failed.error.code, failed.error.wording ?? failed.error.message);
  }
  for (const outcome of outcomes)
    for (const notice of outcome.warnings) addNotice(warnings, notice);
  return {
    contracts: outcomes.map((outcome) => ({
      name: jobs[outcome.index]!.name,
      text: outcome.text!,
      plaintextSections: outcome.plaintextSections ?? [],
    })),
    warnings: [...warnings.values()],
  };
}

/**
 * The workload every contract embeds: encrypted once when it is plaintext and a key is given
 * (what `assembleContract` would do for each contract, from the same exact text).
 */
function sealedWorkload(base: CreateContractOptions): SectionInput {
  const key = base.encryption?.material.publicKey;
  if (key === undefined || looksLikeSectionToken(base.workload.text)) return base.workload;
  const section = parseSectionText('workload', base.workload.text, base.workload.source);
  const token = encryptSection(Buffer.from(section.value, 'utf8'), key, base.random, base.prefix);
  return { text: token, source: base.workload.source };
}

/**
 * Checks an instance's env section against the schema (the first contract checked the
 * workload and the rules between the sections, which the instances do not change). A failure
 * becomes the outcome's error, so the batch reports the first failing instance.
 */
async function validateInstanceEnv(
  outcome: BatchOutcome,
  jobs: readonly BatchJob[],
  base: CreateContractOptions,
  warnings: Map<string, Notice>,
): Promise<void> {
  const job = jobs[outcome.index]!;
  const report = await validateSection(
    parseSectionText('env', outcome.envText!, instanceEnvSource(base.env, job)),
    { ...(base.platform ? { platform: base.platform } : {}), now: base.now },
  );
  const problems = report.problems.filter((problem) => problem.severity !== 'note');
  const error = problems.find((problem) => problem.severity === 'error');
  if (error && outcome.error === undefined) {
    outcome.error = {
      code: 'CONTRACT_INVALID',
      message: `${job.at} instance "${job.name}": ${formatProblem(error)}`,
      wording: worded`${job.at} instance "${job.name}": ${problemText(error)}`,
    };
  }
  for (const problem of problems) addNotice(warnings, problemText(problem));
}

function addNotice(notices: Map<string, Notice>, notice: Notice): void {
  const key = sayNotice(notice);
  if (!notices.has(key)) notices.set(key, notice);
}
