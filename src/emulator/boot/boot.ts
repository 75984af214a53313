import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SeedImageContents } from '../../core/attestation/cidata-digests.js';
import type { RandomSource } from '../../core/crypto/random-source.js';
import { HpvsError } from '../../core/errors.js';
import { writeFileAtomic } from '../../node/write-output.js';
import { input, worded } from '../../core/wording.js';
import {
  BootConsole,
  formatConsoleLine,
  type ConsoleLine,
  type InputPhrases,
} from '../boot-console.js';
import { ServiceFailure, type BootContext } from '../boot-context.js';
import {
  describeInstanceFolderUse,
  openInstanceFolder,
  recordInstanceFolder,
} from '../instance-folder.js';
import type { ContainerRuntime } from '../runtimes/container-runtime.js';
import { runAttestation } from '../services/attestation.js';
import { messageOf, runBootloader } from '../services/bootloader.js';
import { runContainers } from '../services/containers.js';
import { runContractValidation } from '../services/contract-validation.js';
import { runDiskCheck } from '../services/disk-check.js';
import { LOGGING, runLogging } from '../services/logging.js';
import { runSignatureCheck } from '../services/signature.js';
import { runVolumes } from '../services/volumes.js';
import { runConfidentialPod } from '../services/confidential-pod.js';
import type { EmulatorState } from '../state.js';
import type { PlannedContainer } from '../../core/ccco/pod-plan.js';

export interface BootOptions {
  state: EmulatorState;
  /** The user-data file name, for messages. */
  source: string;
  userData: Buffer;
  /** The seed image the user data came from (`--cidata`). */
  cidata?: SeedImageContents | undefined;
  outDir: string;
  /** `NAME=FILE` entries and at most one bare `FILE`. */
  volumeImages?: { byName: Map<string, string>; single?: string };
  fastKdf?: boolean;
  runtime: ContainerRuntime;
  /**
   * Leave started containers running when the boot ends (`emulator stop` ends them). Otherwise
   * the boot follows them until they all exit or `stop` aborts, then removes them.
   */
  keepRunning?: boolean;
  /** Aborted on SIGINT/SIGTERM: the boot then stops and removes what it started. */
  stop?: AbortSignal;
  print: (line: string) => void;
  /**
   * How the console names what the caller supplies (the volume images, keeping the workload
   * running): the core's concepts unless a front end gives its own words (the CLI its flags).
   */
  phrases?: InputPhrases;
  now?: () => Date;
  random: RandomSource;
  /** ccco: the pod to admit with the contract's agent policy instead of compose/play. */
  pod?: PlannedContainer[];
}

export interface BootResult {
  ok: boolean;
  /** The service that failed, when one did. */
  failedService?: string;
  lines: ConsoleLine[];
}

const CATCH_SUCCESS = 'hpl-catch-success';
const CATCH_FAILED = 'hpl-catch-failed';
const SHUTDOWN_DELAY_MS = 60_000;
const HPCR_EMULATOR = 'hpcr-emulator';

/**
 * After a successful boot: with `keepRunning` the containers stay up and the boot ends;
 * otherwise their output keeps flowing to the console and the log target until every container
 * has exited or the user interrupts the boot (the caller then removes them).
 */
async function followWorkload(context: BootContext, options: BootOptions): Promise<void> {
  const running = context.running;
  if (running === undefined) return;
  if (options.keepRunning) {
    await running.detach();
    context.console.note(
      HPCR_EMULATOR,
      worded`${input('workload-kept-running')}; its later output is not forwarded; ${input('stopping-emulator-workload')} ${options.outDir} ends it`,
    );
    return;
  }
  context.console.note(
    HPCR_EMULATOR,
    worded`the workload runs; its output is forwarded until every container exits ${input('follow-workload-controls')}`,
  );
  await running.wait(options.stop ?? new AbortController().signal);
  context.console.note(
    HPCR_EMULATOR,
    options.stop?.aborted ? 'interrupted: stopping the workload' : 'every container has exited',
  );
}

/**
 * Boots a contract the way the runtime does: bootloader, logging, contract validation,
 * signature and expiry, volumes, attestation, containers, then the success or failure catch.
 * The first failing service ends the sequence, as a failed systemd unit triggers
 * hpl-catch-failed. The console log is also written to `OUT/var/log/hpcr-console.log`. `OUT`
 * must be missing, empty or the instance folder of an earlier boot (`openInstanceFolder`).
 */
export async function bootContract(options: BootOptions): Promise<BootResult> {
  // before any service runs: a folder the emulator may not write to, or whose workload still
  // runs, stops the boot unstarted
  await options.runtime.checkInstance?.(options.outDir);
  const use = await openInstanceFolder(options.outDir);
  options.print(`hpcr-emulator: ${describeInstanceFolderUse(options.outDir, use)}`);
  const clock = options.now ?? (() => new Date());
  const console = new BootConsole(options.print, clock, options.phrases);
  const context: BootContext = {
    state: options.state,
    console,
    now: clock(),
    random: options.random,
    source: options.source,
    userData: options.userData,
    cidata: options.cidata,
    outDir: options.outDir,
    volumeImages: options.volumeImages ?? { byName: new Map() },
    fastKdf: options.fastKdf ?? false,
    runtime: options.runtime,
    platform: options.state.platform ?? 'hpvs',
    ...(options.pod === undefined ? {} : { pod: options.pod }),
  };
  let failedService: string | undefined;
  // a forwarding error already reported as HPL01001E is not repeated after the catch
  let reported: unknown;
  try {
    await runBootloader(context);
    await runLogging(context);
    await runContractValidation(context);
    runSignatureCheck(context);
    await runVolumes(context);
    await runDiskCheck(context);
    await runAttestation(context);
    if (context.pod !== undefined) await runConfidentialPod(context);
    else await runContainers(context);
    await context.forwarder?.settle();
    const broken = context.forwarder?.error;
    reported = broken;
    if (broken !== undefined) {
      console.error(LOGGING, 'HPL01001E', `Log forwarding broke: ${broken.message}`);
      throw new ServiceFailure(LOGGING);
    }
    console.info(
      CATCH_SUCCESS,
      'HPL10001I',
      'Services succeeded -> systemd triggered hpl-catch-success service',
    );
    await followWorkload(context, options);
  } catch (error) {
    if (error instanceof ServiceFailure) {
      failedService = error.service;
    } else {
      failedService = 'hpcr-emulator';
      console.error(failedService, undefined, `unexpected failure: ${console.reason(error)}`);
    }
    console.error(
      CATCH_FAILED,
      'HPL10000E',
      'One or more service failed -> systemd triggered hpl-catch-failed service',
    );
    const at = new Date(clock().getTime() + SHUTDOWN_DELAY_MS);
    console.note(
      CATCH_FAILED,
      `Shutdown scheduled for ${at.toUTCString()}, use 'shutdown -c' to cancel.`,
    );
  } finally {
    // a failed boot never leaves containers behind, whatever --keep-running says
    if (context.running !== undefined && (failedService !== undefined || !options.keepRunning)) {
      await context.running.remove().then(
        () =>
          console.note(
            HPCR_EMULATOR,
            "the workload's containers and pods were stopped and removed",
          ),
        (error: unknown) =>
          console.error(
            HPCR_EMULATOR,
            undefined,
            `removing the workload failed: ${console.reason(error)}`,
          ),
      );
    }
    if (context.forwarder !== undefined) {
      console.detach(context.forwarder);
      await context.forwarder.close().catch((error: unknown) => {
        if (error === reported) return;
        options.print(
          `hpcr-emulator: log forwarding to ${context.forwarder!.describe()} ended with an error: ${messageOf(error)}`,
        );
      });
    }
  }
  try {
    await saveConsoleLog(options.outDir, console.lines);
  } finally {
    await recordInstanceFolder(options.outDir);
  }
  return {
    ok: failedService === undefined,
    lines: console.lines,
    ...(failedService ? { failedService } : {}),
  };
}

async function saveConsoleLog(outDir: string, lines: ConsoleLine[]): Promise<void> {
  const dir = join(outDir, 'var', 'log');
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new HpvsError(
      'OUTPUT_FAILED',
      `${dir}: cannot create the console log folder (${error.code ?? 'error'})`,
      { cause: error },
    );
  });
  await writeFileAtomic(
    join(dir, 'hpcr-console.log'),
    lines.map((line) => `${line.time.toISOString()} ${formatConsoleLine(line)}\n`).join(''),
    { secret: false },
  );
}
