import type { Stats } from 'node:fs';
import { fstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HpvsError } from '../core/errors.js';

/**
 * What a command says about one output file; `outputMode` turns it into the file's mode. Every
 * file hpvs-ctl writes goes through this one rule:
 * - an output that can hold a secret is 0600;
 * - an output is never readable by more people than every input it was made from, nor than the
 *   file it replaces (rewriting a 0600 file keeps it 0600);
 * - an output may not be one of its inputs (it would replace what it was made from), unless
 *   rewriting that input is the command's purpose (`inPlace`);
 * - the umask still applies (the file is created with the mode, never chmod'ed wider).
 */
export interface OutputPolicy {
  /**
   * The output can hold a secret: a plaintext section, a contract with one, a decrypted record
   * or token, a seed, a passphrase, a private key.
   */
  secret: boolean;
  /** The input files it was made from (`-` for standard input, checked when that is a file). */
  from?: readonly (string | undefined)[] | undefined;
  /** Rewriting one of `from` is what the command is for (`sign` in place). */
  inPlace?: boolean | undefined;
  /**
   * Further files the command reads (keys, certificates, passphrase files): the output may never
   * replace one, not even in place, but none of their bytes go into it, so their modes do not
   * bound its mode.
   */
  alsoReads?: readonly (string | undefined)[] | undefined;
  /**
   * A further ceiling on the mode, for inputs that are not one file (the narrowest file of an
   * archived folder).
   */
  ceiling?: number | undefined;
}

/** Owner read and write; group and others get at most read, and only for public outputs. */
const OWNER = 0o600;
const SHARED = 0o044;

/**
 * The mode to create `path` with under `policy`, after refusing an output that is one of its
 * inputs (same device and inode, so links and other spellings of a path count).
 */
export async function outputMode(path: string, policy: OutputPolicy): Promise<number> {
  const target = await statOrUndefined(path);
  let shared = policy.secret ? 0 : SHARED;
  if (target?.isFile()) shared &= target.mode;
  if (policy.ceiling !== undefined) shared &= policy.ceiling;
  for (const input of policy.from ?? []) {
    if (input === undefined) continue;
    const info = input === '-' ? stdinFile() : await statOrUndefined(input);
    if (info === undefined || !info.isFile()) continue;
    shared &= info.mode;
    if (target !== undefined && !policy.inPlace && sameFile(info, target)) {
      throw ontoInput(path, input);
    }
  }
  if (target !== undefined) await refuseOntoInputs(path, target, policy.alsoReads ?? []);
  return OWNER | (shared & SHARED);
}

/**
 * Refuses an output that is one of `inputs`, for a command that checks its outputs before it
 * does any work (and so before it prints warnings); standard output is never an input.
 */
export async function refuseOutputOntoInputs(
  path: string | undefined,
  inputs: readonly (string | undefined)[],
): Promise<void> {
  if (path === undefined || path === '-') return;
  const target = await statOrUndefined(path);
  if (target !== undefined) await refuseOntoInputs(path, target, inputs);
}

async function refuseOntoInputs(
  path: string,
  target: Stats,
  inputs: readonly (string | undefined)[],
): Promise<void> {
  for (const input of inputs) {
    if (input === undefined) continue;
    const info = input === '-' ? stdinFile() : await statOrUndefined(input);
    if (info?.isFile() && sameFile(info, target)) throw ontoInput(path, input);
  }
}

function ontoInput(path: string, input: string): HpvsError {
  return new HpvsError(
    'USAGE',
    `${path}: the output is the same file as the input ${input === '-' ? '(standard input)' : input}, which writing it would replace; write the output to another file`,
  );
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** Standard input when it is redirected from a file (`< secret.yaml`), else undefined. */
function stdinFile(): Stats | undefined {
  try {
    const info = fstatSync(0);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}
