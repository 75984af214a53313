import { createHash } from 'node:crypto';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { join } from 'node:path';
import { HpvsError } from '../../core/errors.js';
import { input as phrase, worded } from '../../core/wording.js';
import { runProcess, type ProcessResult } from '../../node/run-process.js';
import {
  SANDBOX_CONTAINERS_CONF,
  explainPodmanFailure,
  type PodmanConfigChoice,
} from './podman-config.js';
import { INSTANCE_LABEL } from './podman-invocations.js';

/**
 * One emulator instance as podman sees it: the label on everything the emulator created for an
 * instance folder, the podman configuration it used, and the record that lets `emulator stop`
 * find both again. The label value is derived from the instance folder's real path, so two
 * instance folders never share one and a stop acts only on its own instance.
 */

/** Where the podman runtime keeps its private files: below the instance's workload folder. */
export const PODMAN_DIR = join('workload', 'podman');
const RECORD = 'instance.json';

export interface PodmanInstance {
  id: string;
  label: string;
  /** Private, owner-only folder for the record, containers.conf and (briefly) the auth file. */
  dir: string;
  /** Runs podman with the instance's configuration. */
  podman(
    args: string[],
    options?: { env?: Record<string, string>; input?: string },
  ): Promise<ProcessResult>;
  /** Variables podman needs for this instance's configuration (`CONTAINERS_CONF`). */
  env: Record<string, string>;
  command: string;
  choice: PodmanConfigChoice;
}

export async function instanceId(instanceDir: string): Promise<string> {
  const real = await realpath(instanceDir);
  return createHash('sha256').update(real).digest('hex').slice(0, 12);
}

/** Prepares the private folder and the configuration, and records both for `emulator stop`. */
export async function openPodmanInstance(
  instanceDir: string,
  choice: PodmanConfigChoice,
  command = 'podman',
): Promise<PodmanInstance> {
  const id = await instanceId(instanceDir);
  const dir = join(instanceDir, PODMAN_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let confPath: string | undefined;
  if (choice === 'sandbox') {
    confPath = join(dir, 'containers.conf');
    await writeFile(confPath, SANDBOX_CONTAINERS_CONF, { mode: 0o644 });
  } else if (choice !== 'system') {
    confPath = await realpath(choice.file).catch((error: NodeJS.ErrnoException) => {
      throw new HpvsError(
        'FILE_NOT_FOUND',
        worded`${phrase('podman-config')} ${choice.file}: cannot read the containers.conf (${error.code ?? 'error'})`,
      );
    });
  }
  await writeFile(
    join(dir, RECORD),
    `${JSON.stringify({ format: 1, id, containersConf: confPath ?? null })}\n`,
    { mode: 0o600 },
  );
  return instanceHandle(id, dir, confPath, choice, command);
}

function instanceHandle(
  id: string,
  dir: string,
  confPath: string | undefined,
  choice: PodmanConfigChoice,
  command: string,
): PodmanInstance {
  const env: Record<string, string> = confPath === undefined ? {} : { CONTAINERS_CONF: confPath };
  return {
    id,
    label: `${INSTANCE_LABEL}=${id}`,
    dir,
    env,
    command,
    choice,
    podman: (args, options = {}) =>
      runProcess(command, args, {
        env: { ...env, ...(options.env ?? {}) },
        installHint: phrase('podman-or-plan-runtime'),
        ...(options.input === undefined ? {} : { input: options.input }),
      }),
  };
}

export interface RemovedParts {
  containers: number;
  pods: number;
  volumes: number;
}

/**
 * Stops and removes every container, pod and volume that carries the instance label, and
 * nothing else. Images stay: they are the host's cache, shared with anything else on it.
 */
export async function removeInstanceParts(instance: PodmanInstance): Promise<RemovedParts> {
  const filter = ['--filter', `label=${instance.label}`];
  const list = async (args: string[]) => {
    const result = await instance.podman(args);
    if (result.status !== 0) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        worded`podman ${args.slice(0, 2).join(' ')} failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
      );
    }
    return result.stdout.split('\n').filter(Boolean);
  };
  const rows = await list(['ps', '--all', ...filter, '--format', '{{.ID}} {{.IsInfra}}']);
  const containers = rows.filter((row) => row.endsWith(' false')).map((row) => row.split(' ')[0]!);
  const remove = async (args: string[], ids: string[]) => {
    if (ids.length === 0) return;
    const result = await instance.podman([...args, ...ids]);
    if (result.status !== 0) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        worded`podman ${args.slice(0, 2).join(' ')} failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
      );
    }
  };
  await remove(['rm', '--force', '--volumes', '--time', '0'], containers);
  const pods = await list(['pod', 'ps', '--quiet', '--no-trunc', ...filter]);
  await remove(['pod', 'rm', '--force', '--time', '0'], pods);
  const volumes = await list(['volume', 'ls', '--quiet', ...filter]);
  await remove(['volume', 'rm', '--force'], volumes);
  return { containers: containers.length, pods: pods.length, volumes: volumes.length };
}

/** The containers of the instance that exist now (`name status`), infra containers left out. */
export async function listInstanceContainers(instance: PodmanInstance): Promise<string[]> {
  const result = await instance.podman([
    'ps',
    '--all',
    '--filter',
    `label=${instance.label}`,
    '--format',
    '{{.Names}} {{.IsInfra}} {{.Status}}',
  ]);
  if (result.status !== 0) {
    throw new HpvsError(
      'RUNTIME_FAILED',
      worded`podman ps failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
    );
  }
  return result.stdout
    .split('\n')
    .filter((row) => row.includes(' false '))
    .map((row) => row.replace(' false ', ' '));
}

/** The containers labelled for `instanceDir`, if it exists; nothing is created or written. */
export async function runningInstanceContainers(
  instanceDir: string,
  choice: PodmanConfigChoice,
  command = 'podman',
): Promise<string[]> {
  let id: string;
  try {
    id = await instanceId(instanceDir);
  } catch {
    return [];
  }
  const confPath = typeof choice === 'object' ? choice.file : undefined;
  return listInstanceContainers(instanceHandle(id, instanceDir, confPath, choice, command));
}

/**
 * `emulator stop`: ends the workload a `--keep-running` boot left in `instanceDir`, with the
 * configuration that boot recorded. Acts only on the instance's label.
 */
export async function stopPodmanInstance(
  instanceDir: string,
  command = 'podman',
): Promise<RemovedParts> {
  let id: string;
  try {
    id = await instanceId(instanceDir);
  } catch (error) {
    throw new HpvsError(
      'FILE_NOT_FOUND',
      `${instanceDir}: no emulator instance folder here (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const dir = join(instanceDir, PODMAN_DIR);
  let confPath: string | undefined;
  let text: string | undefined;
  try {
    text = (await readInput(join(dir, RECORD), 'podman record', INPUT_LIMITS.config)).toString(
      'utf8',
    );
  } catch {
    // no record: an instance never booted with podman; the label still finds any leftovers
  }
  if (text !== undefined) {
    try {
      const record = JSON.parse(text) as { containersConf?: unknown };
      if (typeof record.containersConf === 'string') confPath = record.containersConf;
    } catch {
      throw new HpvsError(
        'STATE_INVALID',
        `${join(dir, RECORD)}: not a podman instance record; the emulator did not write it`,
      );
    }
  }
  const choice: PodmanConfigChoice = confPath === undefined ? 'system' : { file: confPath };
  return removeInstanceParts(instanceHandle(id, dir, confPath, choice, command));
}
