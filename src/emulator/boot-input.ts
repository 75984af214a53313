import { INPUT_LIMITS } from '../node/input-limits.js';
import type { PlannedContainer } from '../core/ccco/pod-plan.js';
import { HpvsError } from '../core/errors.js';
import { input, worded } from '../core/wording.js';
import { readInput, readTextInput } from '../node/read-input.js';
import type { EmulatorState } from './state.js';

export interface BootInput {
  userData: Buffer;
  source: string;
  pod?: PlannedContainer[];
  /** Console notes about where the contract and the pod came from. */
  notes: string[];
}

/**
 * What `emulator boot` boots: a user-data file, or on a ccco state the contract inside initdata
 * with the pod it was made for (a peer-pod VM gets nothing else).
 */
export async function readBootInput(
  userDataPath: string | undefined,
  options: { initdata?: string | undefined; pod?: string | undefined },
  state: EmulatorState,
): Promise<BootInput> {
  const platform = state.platform ?? 'hpvs';
  if ((userDataPath === undefined) === (options.initdata === undefined)) {
    throw new HpvsError(
      'USAGE',
      'boot either a user-data file or an initdata, not both or neither',
    );
  }
  if (platform !== 'ccco' && (options.initdata !== undefined || options.pod !== undefined)) {
    throw new HpvsError(
      'USAGE',
      worded`${input('initdata-and-pod')} need a ccco emulator; ${state.dir} plays ${platform} (${input('create-ccco-emulator')})`,
    );
  }
  if (options.initdata !== undefined) {
    const { readInitdataBootInput } = await import('./initdata-boot-input.js');
    return readInitdataBootInput(options.initdata, options.pod);
  }
  const userData = await readInput(userDataPath!, 'user data', INPUT_LIMITS.userData);
  if (platform !== 'ccco') return { userData, source: userDataPath!, notes: [] };
  if (options.pod === undefined) {
    throw new HpvsError('USAGE', worded`a ccco emulator runs pods: ${input('give-pod-manifest')}`);
  }
  const { planContainers } = await import('../core/ccco/pod-plan.js');
  const pod = planContainers(
    await readTextInput(options.pod, 'pod manifest', INPUT_LIMITS.manifest),
    options.pod,
  );
  return {
    userData,
    source: userDataPath!,
    pod,
    notes: [`pod: ${pod.length} containers from ${options.pod}`],
  };
}
