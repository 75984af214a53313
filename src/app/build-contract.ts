import type { CreatedContract } from '../core/authoring/create-contract.js';
import type { SectionKeySource } from '../core/crypto/section-key.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { deriveSectionKeysAhead } from '../node/section-keys-ahead.js';
import {
  readContractInputs,
  readSectionInput,
  type ContractSources,
} from './read-contract-inputs.js';

export interface BuiltContract {
  contract: CreatedContract;
  /** The exact text of each input the contract was made from (workload and env, or in). */
  inputs: Record<string, string>;
}

/**
 * When the contract will be encrypted, the section keys are derived on other threads while the
 * inputs are read and checked (src/node/section-keys-ahead.ts).
 */
function keysAhead(sources: ContractSources, count: number): Promise<SectionKeySource | undefined> {
  return sources.encryption === undefined
    ? Promise.resolve(undefined)
    : deriveSectionKeysAhead(count, sources.random);
}

/** user-data from a workload and an env section file (plaintext or tokens). */
export async function buildContractFromSections(
  files: { workloadFile: string; envFile: string },
  sources: ContractSources,
): Promise<BuiltContract> {
  const sectionKeys = keysAhead(sources, 2);
  const workload = await readSectionInput(files.workloadFile, 'workload section');
  const env = await readSectionInput(files.envFile, 'env section');
  const options = { workload, env, ...(await readContractInputs(sources)) };
  const { createContract } = await import('../core/authoring/create-contract.js');
  return {
    contract: await createContract({ ...options, sectionKeys }),
    inputs: { workload: workload.text, env: env.text },
  };
}

/** user-data from one whole plaintext contract, signed and encrypted in one step. */
export async function buildContractFromFile(
  contractFile: string,
  sources: ContractSources,
): Promise<BuiltContract> {
  // workload and env; an attestation key to encrypt too gets its key when asked
  const sectionKeys = keysAhead(sources, 2);
  const shared = await readContractInputs(sources);
  const contract = await readSectionInput(contractFile, 'contract', INPUT_LIMITS.userData);
  const { buildContractFile } = await import('../core/authoring/build-contract-file.js');
  return {
    contract: await buildContractFile({ ...shared, ...contract, sectionKeys }),
    inputs: { in: contract.text },
  };
}
