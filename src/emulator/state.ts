import type { KeyObject } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parsePrivateKey } from '../core/crypto/keys.js';
import { PLATFORM_NAMES, type PlatformName } from '../core/platforms/platforms.js';
import { HpvsError } from '../core/errors.js';
import { input as phrase, worded } from '../core/wording.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { fileError, readInput } from '../node/read-input.js';
import { writeFileAtomic } from '../node/write-output.js';
import type { EmulatorIdentity } from './identity.js';

/**
 * The emulator's state folder: `public/` is what the runtime's owner publishes per image
 * version (certificates, CRLs, reference values), `private/` (mode 0700, keys 0600) what never
 * leaves the runtime, `state.json` the identity's facts.
 */
export const PUBLIC_FILES = {
  root: 'root.crt',
  intermediate: 'intermediate.crt',
  encryption: 'encrypt.crt',
  attestation: 'attestation.crt',
  rootCrl: 'root.crl',
  intermediateCrl: 'intermediate.crl',
  reference: 'reference.txt',
} as const;

const PRIVATE_FILES = {
  root: 'root-key.pem',
  intermediate: 'intermediate-key.pem',
  encryption: 'encrypt-key.pem',
  attestation: 'attestation-key.pem',
} as const;

const STATE_FILE = 'state.json';
const STATE_FORMAT = 1;

export interface EmulatorStateFacts {
  format: number;
  imageVersion: string;
  createdAt: string;
  machine: { type: string; plant: string; serial: string };
  reference: { rootTarGz: string; baseimage: string };
  /** The runtime emulated (`emulator init --platform`): its schema and token prefix apply at boot. */
  platform?: PlatformName;
}

export interface EmulatorState extends EmulatorStateFacts {
  dir: string;
  encryptionKey: KeyObject;
  attestationKey: KeyObject;
  publicPath(name: keyof typeof PUBLIC_FILES): string;
}

/** The reference values in the record's own hash-line form, for `attestation verify --reference`. */
export function referenceLines(reference: EmulatorStateFacts['reference']): string {
  return `${reference.rootTarGz} root.tar.gz\n${reference.baseimage} baseimage\n`;
}

/**
 * Writes a new identity into `dir`. The whole state is built in a sibling folder and renamed
 * into place, so an interrupted init leaves either the old state or the new one, never a mix.
 */
export async function writeEmulatorState(
  dir: string,
  identity: EmulatorIdentity,
  options: { force?: boolean; platform?: PlatformName | undefined } = {},
): Promise<void> {
  const existing = await assertStateWritable(dir, options.force === true);
  // resolved, so that `--state .` or `--state sub/` still name a real sibling folder
  const target = resolve(dir);
  const staging = join(dirname(target), `.${basename(target)}.init-${process.pid}-${Date.now()}`);
  try {
    await mkdir(join(staging, 'public'), { recursive: true, mode: 0o755 });
    await mkdir(join(staging, 'private'), { mode: 0o700 });
    const pub = identity.public;
    const publicData: Record<keyof typeof PUBLIC_FILES, string> = {
      root: pub.rootCertificatePem,
      intermediate: pub.intermediateCertificatePem,
      encryption: pub.encryptionCertificatePem,
      attestation: pub.attestationCertificatePem,
      rootCrl: pub.rootCrlPem,
      intermediateCrl: pub.intermediateCrlPem,
      reference: referenceLines(identity.reference),
    };
    for (const [key, name] of Object.entries(PUBLIC_FILES)) {
      await writeFileAtomic(
        join(staging, 'public', name),
        publicData[key as keyof typeof PUBLIC_FILES],
        { secret: false },
      );
    }
    const priv = identity.private;
    const privateData: Record<keyof typeof PRIVATE_FILES, string> = {
      root: priv.rootKeyPem,
      intermediate: priv.intermediateKeyPem,
      encryption: priv.encryptionKeyPem,
      attestation: priv.attestationKeyPem,
    };
    for (const [key, name] of Object.entries(PRIVATE_FILES)) {
      await writeFileAtomic(
        join(staging, 'private', name),
        privateData[key as keyof typeof PRIVATE_FILES],
        { secret: true },
      );
    }
    const facts: EmulatorStateFacts = {
      format: STATE_FORMAT,
      imageVersion: identity.imageVersion,
      createdAt: identity.createdAt,
      machine: identity.machine,
      reference: identity.reference,
      ...(options.platform === undefined ? {} : { platform: options.platform }),
    };
    await writeFileAtomic(join(staging, STATE_FILE), `${JSON.stringify(facts, null, 2)}\n`, {
      secret: false,
    });
    await replaceFolder(target, staging, existing.length > 0);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof HpvsError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new HpvsError('OUTPUT_FAILED', `${dir}: cannot write the emulator state (${code})`, {
      cause: error,
    });
  }
}

/** Refuses a folder that already holds something unless `force`; returns what it holds. */
export async function assertStateWritable(dir: string, force: boolean): Promise<string[]> {
  const existing = await stateContents(dir);
  if (existing.length > 0 && !force) {
    throw new HpvsError(
      'STATE_EXISTS',
      worded`${dir}: already holds ${existing.includes(STATE_FILE) ? 'an emulator state' : `files (${existing.slice(0, 3).join(', ')})`}; ${phrase('replace-emulator-state')} (certificates issued for the old one stop working)`,
    );
  }
  return existing;
}

async function stateContents(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') {
      const isFile = await stat(dir).then(
        (info) => info.isFile(),
        () => false,
      );
      throw new HpvsError(
        'OUTPUT_FAILED',
        `${dir}: ${isFile ? 'is a file' : 'a part of the path is a file, not a folder'}; give a folder for the emulator state`,
      );
    }
    throw fileError(dir, 'state folder', error);
  }
}

async function replaceFolder(dir: string, staging: string, hadContents: boolean): Promise<void> {
  if (hadContents) {
    const retired = `${staging}.old`;
    await rename(dir, retired);
    await rename(staging, dir);
    await rm(retired, { recursive: true, force: true });
    return;
  }
  // an empty folder the user created beforehand is replaced by the new one
  await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, dir);
}

/** Loads a state written by `emulator init`, saying what to run when it is missing or broken. */
export async function loadEmulatorState(dir: string): Promise<EmulatorState> {
  const statePath = join(dir, STATE_FILE);
  let text: string;
  try {
    text = (await readInput(statePath, 'emulator state', INPUT_LIMITS.config)).toString('utf8');
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOTDIR') {
      throw new HpvsError(
        'STATE_INVALID',
        worded`${dir}: is a file, not an emulator state folder; ${phrase('give-emulator-state-folder')}`,
      );
    }
    if (code === 'ENOENT') {
      throw new HpvsError(
        'STATE_INVALID',
        worded`${dir}: not an emulator state (no ${STATE_FILE}); ${phrase('create-emulator-state')} ${dir}`,
      );
    }
    throw error;
  }
  let facts: EmulatorStateFacts;
  try {
    facts = JSON.parse(text) as EmulatorStateFacts;
  } catch (error) {
    throw new HpvsError(
      'STATE_INVALID',
      worded`${statePath}: not valid JSON; ${phrase('recreate-emulator-state')}`,
      {
        cause: error,
      },
    );
  }
  if (facts.format !== STATE_FORMAT || typeof facts.imageVersion !== 'string') {
    throw new HpvsError(
      'STATE_INVALID',
      worded`${statePath}: unknown state format ${String(facts.format)}; ${phrase('recreate-emulator-state')}`,
    );
  }
  if (
    facts.platform !== undefined &&
    !(PLATFORM_NAMES as readonly unknown[]).includes(facts.platform)
  ) {
    throw new HpvsError(
      'STATE_INVALID',
      worded`${statePath}: unknown platform ${JSON.stringify(String(facts.platform))}; ${phrase('recreate-emulator-state')}`,
    );
  }
  const [encryptionKey, attestationKey] = await Promise.all([
    loadPrivate(dir, PRIVATE_FILES.encryption),
    loadPrivate(dir, PRIVATE_FILES.attestation),
  ]);
  return {
    ...facts,
    dir,
    encryptionKey,
    attestationKey,
    publicPath: (name) => join(dir, 'public', PUBLIC_FILES[name]),
  };
}

async function loadPrivate(dir: string, name: string): Promise<KeyObject> {
  const path = join(dir, 'private', name);
  let pem: Buffer;
  try {
    pem = await readInput(path, 'emulator key', INPUT_LIMITS.pem);
  } catch (error) {
    if (error instanceof HpvsError && error.code === 'INPUT_TOO_LARGE') throw error;
    throw new HpvsError(
      'STATE_INVALID',
      worded`${path}: missing or unreadable (${errnoOf(error) ?? 'error'}); ${phrase('recreate-emulator-state')}`,
      { cause: error },
    );
  }
  return parsePrivateKey(pem, path);
}

/** The system error code behind a failed read (readInput keeps it as the cause). */
function errnoOf(error: unknown): string | undefined {
  const cause = error instanceof HpvsError ? error.cause : error;
  return (cause as NodeJS.ErrnoException | undefined)?.code;
}
