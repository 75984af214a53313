import type { PlatformName } from '../core/platforms/platforms.js';
import { createEmulatorIdentity } from './identity.js';
import { PUBLIC_FILES, assertStateWritable, writeEmulatorState } from './state.js';

export interface CreateEmulatorStateOptions {
  /** The state folder: new, empty, or replaced when `force`. */
  dir: string;
  imageVersion: string;
  /** RSA modulus of the four keys; 4096 like IBM's. */
  keyBits: number;
  /** The runtime to emulate; hpvs's schema and both prefixes when not given. */
  platform?: PlatformName | undefined;
  force: boolean;
  now: Date;
}

export interface CreatedEmulatorState {
  imageVersion: string;
  platform?: PlatformName | undefined;
  /** Paths of the public files, for the personas that need them. */
  publicFiles: Record<keyof typeof PUBLIC_FILES, string>;
  privateDir: string;
}

/** A new emulated runtime: its identity (CAs, certificates, keys, CRLs) written as a state. */
export async function createEmulatorState(
  options: CreateEmulatorStateOptions,
): Promise<CreatedEmulatorState> {
  // refuse before spending seconds on RSA-4096 key generation
  await assertStateWritable(options.dir, options.force);
  const identity = await createEmulatorIdentity({
    imageVersion: options.imageVersion,
    now: options.now,
    keyBits: options.keyBits,
  });
  await writeEmulatorState(options.dir, identity, {
    force: options.force,
    platform: options.platform,
  });
  const publicFiles = Object.fromEntries(
    Object.entries(PUBLIC_FILES).map(([name, file]) => [name, `${options.dir}/public/${file}`]),
  ) as Record<keyof typeof PUBLIC_FILES, string>;
  return {
    imageVersion: identity.imageVersion,
    platform: options.platform,
    publicFiles,
    privateDir: `${options.dir}/private/`,
  };
}
