import type { RandomSource } from '../../core/crypto/random-source.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { readBootInput, type BootInput } from '../boot-input.js';
import { readSeedImage } from '../read-seed-image.js';
import type { PodmanConfigChoice } from '../runtimes/podman-config.js';
import { selectRuntime } from '../runtimes/select-runtime.js';
import { loadEmulatorState } from '../state.js';
import { bootContract, type BootOptions, type BootResult } from './boot.js';

/** A boot named by its files: the state, what to boot, and how to run the workload. */
export interface BootFromFilesRequest {
  stateDir: string;
  /** What to boot: a user-data file, an initdata (ccco, with its pod), or a seed image. */
  userDataFile?: string | undefined;
  initdataFile?: string | undefined;
  podFile?: string | undefined;
  cidataFile?: string | undefined;
  /** `plan`, `podman`, or the path of a module exporting a container runtime. */
  runtime: string;
  podmanConfig: PodmanConfigChoice;
  /** The instance folder; STATE/instance when not given. */
  outDir?: string | undefined;
  volumeImages: NonNullable<BootOptions['volumeImages']>;
  fastKdf: boolean;
  keepRunning: boolean;
  /**
   * Starts listening for an interrupt, called just before the services run (so one while the
   * inputs are read still ends the process): its signal stops and removes the workload, and
   * `release` stops listening when the boot ends.
   */
  listenForStop: () => { signal: AbortSignal; release: () => void };
  /** A runtime console line. */
  print: (line: string) => void;
  /** The caller's words for its inputs in console lines (see `BootOptions.phrases`). */
  phrases?: BootOptions['phrases'];
  /** Where the contract and the pod came from, said before the boot. */
  note: (line: string) => void;
  random: RandomSource;
}

/** Loads the state, reads what to boot and boots it on the runtime asked for. */
export async function bootFromFiles(request: BootFromFilesRequest): Promise<BootResult> {
  const state = await loadEmulatorState(request.stateDir);
  const seed =
    request.cidataFile === undefined ? undefined : await readSeedImage(request.cidataFile);
  const input: BootInput =
    seed === undefined
      ? await readBootInput(
          request.userDataFile,
          { initdata: request.initdataFile, pod: request.podFile },
          state,
        )
      : {
          userData: seed.files['user-data']!,
          source: `${request.cidataFile}:user-data`,
          notes: [],
        };
  for (const line of input.notes) request.note(line);
  // a mistyped file is said before the boot runs its services
  if (typeof request.podmanConfig === 'object') {
    await readInput(request.podmanConfig.file, 'containers.conf', INPUT_LIMITS.config);
  }
  const runtime = await selectRuntime(request.runtime, { podmanConfig: request.podmanConfig });
  const stop = request.listenForStop();
  return bootContract({
    state,
    source: input.source,
    userData: input.userData,
    ...(input.pod === undefined ? {} : { pod: input.pod }),
    cidata: seed,
    outDir: request.outDir ?? `${request.stateDir}/instance`,
    volumeImages: request.volumeImages,
    fastKdf: request.fastKdf,
    runtime,
    keepRunning: request.keepRunning,
    stop: stop.signal,
    print: request.print,
    ...(request.phrases === undefined ? {} : { phrases: request.phrases }),
    random: request.random,
  }).finally(stop.release);
}
