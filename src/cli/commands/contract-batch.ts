import { looksLikeSectionToken } from '../../core/crypto/section-token.js';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { cliNotice } from './input-phrases.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readTextInput } from '../../node/read-input.js';
import { settleBoundedUntilFailure } from '../../node/bounded-concurrency.js';
import { readSecret } from '../../node/read-secret.js';
import { secretText } from '../../app/input-readers.js';
import { refuseExisting, writeFileSet } from '../../node/write-file-set.js';
import { findWorkerUrl, startWorkers, type StartedWorkers } from '../../node/worker-pool.js';
import { writeStdout } from '../../node/write-output.js';
import type { ContractFlags } from './contract-options.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';
import { digestUnlessSecret } from '../../core/crypto/result-digests.js';

export interface ContractBatchFlags extends ContractFlags {
  batch: string;
  out?: string | undefined;
  outDir?: string | undefined;
  signingCertOut?: string | undefined;
  force?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * `hpvs-ctl contract --batch INVENTORY --out-dir DIR`: one user-data per inventory instance,
 * `DIR/<name>.yaml`, written only when every contract was built.
 */
export async function runContractBatch(flags: ContractBatchFlags): Promise<void> {
  if (flags.outDir === undefined) {
    throw new HpvsError(
      'USAGE',
      '--batch needs --out-dir DIR (each contract is written to DIR/<name>.yaml)',
    );
  }
  if (flags.out !== undefined || flags.signingCertOut !== undefined) {
    throw new HpvsError(
      'USAGE',
      `${flags.out !== undefined ? '--out' : '--signing-cert-out'} does not work with --batch; the contracts go to --out-dir`,
    );
  }
  // the worker threads boot (about 90 ms) while this thread loads its modules and reads the
  // inventory, keys and seeds; the batch ends them if it builds the contracts here alone
  const url = findWorkerUrl(import.meta.url, 'app/contract-batch/contract-batch.worker.js');
  const threads = availableParallelism();
  const started = url !== undefined && threads >= 2 ? startWorkers(url, threads - 1) : undefined;
  try {
    await buildContracts(flags, flags.outDir, started);
  } finally {
    started?.stop();
  }
}

async function buildContracts(
  flags: ContractBatchFlags,
  outDir: string,
  started: StartedWorkers | undefined,
): Promise<void> {
  const [{ loadContractOptions }, batch] = await Promise.all([
    import('./contract-options.js'),
    import('../../app/contract-batch/contract-batch.js'),
  ]);
  const instances = batch.parseInventory(
    await readTextInput(flags.batch, 'inventory', INPUT_LIMITS.inventory),
    flags.batch === '-' ? 'stdin' : flags.batch,
  );
  const names = instances.map((instance) => `${instance.name}.yaml`);
  if (!flags.force) await refuseExisting(outDir, names);
  const inventoryDir = flags.batch === '-' ? '.' : dirname(flags.batch);
  const seedFiles = instances.map((instance) =>
    instance.seedFile === undefined
      ? undefined
      : isAbsolute(instance.seedFile)
        ? instance.seedFile
        : join(inventoryDir, instance.seedFile),
  );
  // the seed files are read while the keys load, a few at a time (one by one from stdin, after
  // the keys, which may ask for a passphrase there)
  const fromStdin = seedFiles.includes('-');
  const readAll = () =>
    readSeeds(
      seedFiles.map((file, index) => ({
        file,
        what: `env volume seed of instance "${instances[index]!.name}"`,
      })),
      fromStdin ? 1 : SEED_READERS,
    );
  const early = fromStdin ? undefined : readAll();
  const base = await loadContractOptions(flags, new Date());
  const seeds = await (early ?? readAll());
  const jobs = [];
  for (const [index, instance] of instances.entries()) {
    const read = seeds[index]!;
    if (read.error !== undefined) throw read.error;
    jobs.push({ index, name: instance.name, at: instance.at, env: instance.env, seed: read.seed });
  }
  const progress = process.stderr.isTTY
    ? (done: number, total: number) => process.stderr.write(`\rcontracts: ${done}/${total}`)
    : undefined;
  const { contracts, warnings } = await batch.createContractBatch(jobs, base, {
    ...(progress ? { onProgress: progress } : {}),
    started,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  for (const notice of warnings) warn(cliNotice(notice));
  const written = await writeFileSet(
    outDir,
    contracts.map((contract) => ({
      name: `${contract.name}.yaml`,
      data: contract.text,
      secret: contract.plaintextSections.length > 0,
    })),
    {
      force: flags.force === true,
      from: [flags.batch, flags.workload, flags.env, flags.attestationKey, ...seedFiles],
    },
  );
  if (!flags.json) {
    await writeStdout(written.map((path) => `${terminalSafe(path)}\n`).join(''));
    return;
  }
  // a summary per instance; digests of what can hold a secret are withheld (result-digests.ts)
  const document = {
    outDir,
    contracts: contracts.map((contract, index) => ({
      name: contract.name,
      out: written[index]!,
      plaintextSections: contract.plaintextSections,
      sha256_out: digestUnlessSecret(contract.text, contract.plaintextSections.length > 0),
    })),
    sha256_in: {
      inventory: null,
      workload: digestUnlessSecret(base.workload.text, !looksLikeSectionToken(base.workload.text)),
      env: digestUnlessSecret(base.env.text, !looksLikeSectionToken(base.env.text)),
    },
  };
  await writeStdout(`${jsonForTerminal(document)}\n`);
}

const SEED_READERS = 8;

interface SeedRead {
  seed?: string | undefined;
  error?: unknown;
}

/**
 * Reads each seed file (none for an undefined file) with `readers` reads at a time, claimed in
 * inventory order; after a failure no further reads start. Never rejects: each entry holds the
 * seed or the error, so the caller reports the first failing instance in inventory order (the
 * ones before it were all read).
 */
async function readSeeds(
  sources: ReadonlyArray<{ file: string | undefined; what: string }>,
  readers: number,
): Promise<SeedRead[]> {
  const outcomes = await settleBoundedUntilFailure(
    sources,
    async ({ file, what }) =>
      file === undefined ? undefined : secretText(await readSecret({ file, what }), file, what),
    readers,
  );
  return outcomes.map((outcome): SeedRead => {
    if (outcome === undefined) return {};
    return outcome.status === 'fulfilled' ? { seed: outcome.value } : { error: outcome.reason };
  });
}
