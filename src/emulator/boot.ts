import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SeedImageContents } from '../attestation/cidata-digests.js';
import type { RandomSource } from '../crypto/random-source.js';
import { HpvsError } from '../errors.js';
import { writeFileAtomic } from '../io/write-output.js';
import { BootConsole, formatConsoleLine, type ConsoleLine } from './boot-console.js';
import { ServiceFailure, type BootContext } from './boot-context.js';
import {
  describeInstanceFolderUse,
  openInstanceFolder,
  recordInstanceFolder,
} from './instance-folder.js';
import type { ContainerRuntime } from './runtimes/container-runtime.js';
import { runAttestation } from './services/attestation.js';
import { messageOf, runBootloader } from './services/bootloader.js';
import { runContainers } from './services/containers.js';
import { runContractValidation } from './services/contract-validation.js';
import { runDiskCheck } from './services/disk-check.js';
import { LOGGING, runLogging } from './services/logging.js';
import { runSignatureCheck } from './services/signature.js';
import { runVolumes } from './services/volumes.js';
import type { EmulatorState } from './state.js';

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
  print: (line: string) => void;
  now?: () => Date;
  random: RandomSource;
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

/**
 * Boots a contract the way the runtime does: bootloader, logging, contract validation,
 * signature and expiry, volumes, attestation, containers, then the success or failure catch.
 * The first failing service ends the sequence, as a failed systemd unit triggers
 * hpl-catch-failed. The console log is also written to `OUT/var/log/hpcr-console.log`. `OUT`
 * must be missing, empty or the instance folder of an earlier boot (`openInstanceFolder`).
 */
export async function bootContract(options: BootOptions): Promise<BootResult> {
  // before any service runs: a folder the emulator may not write to stops the boot unstarted
  const use = await openInstanceFolder(options.outDir);
  options.print(`hpcr-emulator: ${describeInstanceFolderUse(options.outDir, use)}`);
  const clock = options.now ?? (() => new Date());
  const console = new BootConsole(options.print, clock);
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
    await runContainers(context);
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
  } catch (error) {
    if (error instanceof ServiceFailure) {
      failedService = error.service;
    } else {
      failedService = 'hpcr-emulator';
      console.error(failedService, undefined, `unexpected failure: ${messageOf(error)}`);
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
