import { INPUT_LIMITS } from '../node/input-limits.js';
import { createHash } from 'node:crypto';
import { decodeInitdata } from '../core/ccco/initdata.js';
import { planContainers, type PlannedContainer } from '../core/ccco/pod-plan.js';
import { findInitdata } from '../core/ccco/pod-annotation.js';
import { HpvsError } from '../core/errors.js';
import { input, worded } from '../core/wording.js';
import { readTextInput } from '../node/read-input.js';

export interface InitdataBootInput {
  /** The contract carried by the initdata, for the boot services. */
  userData: Buffer;
  source: string;
  pod: PlannedContainer[];
  /** What the peer-pod VM found, for the console. */
  notes: string[];
}

/**
 * Reads what a peer-pod VM gets: the initdata (a value, or the manifest carrying the
 * annotation) and the pod the agent is asked to run (the same manifest, or `--pod`).
 */
export async function readInitdataBootInput(
  initdataPath: string,
  podPath: string | undefined,
): Promise<InitdataBootInput> {
  const text = await readTextInput(initdataPath, 'initdata', INPUT_LIMITS.initdata);
  const value = findInitdata(text, initdataPath);
  const decoded = decodeInitdata(value, initdataPath);
  const carriesPod = value !== text.trim();
  if (podPath === undefined && !carriesPod) {
    throw new HpvsError(
      'USAGE',
      worded`${initdataPath} holds only the initdata value; ${input('give-pod-of-initdata')}`,
    );
  }
  const podSource = podPath ?? initdataPath;
  const podText =
    podPath === undefined
      ? text
      : await readTextInput(podPath, 'pod manifest', INPUT_LIMITS.manifest);
  const pod = planContainers(podText, podSource);
  const digest = createHash('sha256').update(decoded.contract).digest('hex');
  return {
    userData: Buffer.from(decoded.contract, 'utf8'),
    source: `${initdataPath} (initdata contract.yaml)`,
    pod,
    notes: [
      `initdata: algorithm ${JSON.stringify(decoded.algorithm)}, contract.yaml ${Buffer.byteLength(decoded.contract)} bytes, sha256 ${digest}`,
      decoded.seHeader === undefined
        ? 'initdata: no Secure Execution header (peer pod)'
        : `initdata: Secure Execution header of ${decoded.seHeader.length} bytes (bare metal; not checked by the emulator)`,
      `pod: ${pod.length} container${pod.length === 1 ? '' : 's'} from ${podSource}`,
    ],
  };
}
