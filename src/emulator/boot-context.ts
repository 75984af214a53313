import type { PlannedContainer } from '../core/ccco/pod-plan.js';
import type { SeedImageContents } from '../core/attestation/cidata-digests.js';
import type { ParsedUserData } from '../core/contract/user-data.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import type { BootConsole } from './boot-console.js';
import type { ContainerRuntime, RunningWorkload } from './runtimes/container-runtime.js';
import type { EmulatorState } from './state.js';
import type { SyslogForwarder } from './syslog-forwarder.js';

/** What the services of one boot share. Each service reads what the ones before it produced. */
export interface BootContext {
  state: EmulatorState;
  console: BootConsole;
  now: Date;
  random: RandomSource;
  /** The user-data file name, for messages. */
  source: string;
  /** The exact bytes the deployer submitted (attested as `cidata/user-data`). */
  userData: Buffer;
  /** The seed image booted from (`emulator boot --cidata`): attested line by line. */
  cidata?: SeedImageContents | undefined;
  /** The user data as submitted: encrypted sections are still tokens (signed and attested). */
  submitted?: ParsedUserData;
  /** The same with every encrypted section replaced by its decrypted text. */
  decrypted?: ParsedUserData;
  outDir: string;
  /** Volume name -> image file, or a single image for a contract with one volume. */
  volumeImages: { byName: Map<string, string>; single?: string };
  fastKdf: boolean;
  runtime: ContainerRuntime;
  /** The platform the runtime plays: decides the schema and whether env.logging is required. */
  platform: PlatformName;
  /** ccco: the pod whose containers the agent policy and sealed secrets apply to. */
  pod?: PlannedContainer[];
  /** Set by the logging service when logs go to a syslog server. */
  forwarder?: SyslogForwarder;
  /** Set by the containers service when the runtime really started containers. */
  running?: RunningWorkload | undefined;
}

/** A service failed; its console lines are already printed. */
export class ServiceFailure extends Error {
  override readonly name = 'ServiceFailure';

  constructor(readonly service: string) {
    super(`${service} failed`);
  }
}

/** The plain data of a decrypted section (a mapping), or an empty object. */
export function sectionData(context: BootContext, key: string): Record<string, unknown> {
  const data = context.decrypted?.sections.get(key)?.data;
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}
