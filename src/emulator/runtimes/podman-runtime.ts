import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HpvsError } from '../../core/errors.js';
import { input as phrase, worded } from '../../core/wording.js';
import { followProcess, type FollowedProcess } from '../../node/follow-process.js';
import type {
  ContainerResult,
  ContainerRuntime,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
  RunningWorkload,
} from './container-runtime.js';
import {
  describePodmanConfig,
  explainPodmanFailure,
  type PodmanConfigChoice,
} from './podman-config.js';
import {
  listInstanceContainers,
  openPodmanInstance,
  runningInstanceContainers,
  removeInstanceParts,
  type PodmanInstance,
} from './podman-instance.js';
import {
  podmanWorkload,
  registryOf,
  unpinned,
  type PodmanStep,
  type PodmanWorkload,
} from './podman-invocations.js';
import { describeContainer, startablePlan } from './workload-plan.js';

export interface PodmanRuntimeOptions {
  command?: string;
  config?: PodmanConfigChoice;
  /**
   * How long a started container must keep running (or have exited 0) to count as started: a
   * container that fails at start is caught in this window, as the runtime's pod check does.
   */
  startCheckMs?: number;
}

const DEFAULT_START_CHECK_MS = 500;
// the last lines a failed container printed go into its failure message
const FOLLOWER_FLUSH_MS = 2000;

/**
 * `podman login` credentials as an auth file (`--authfile`): written owner-only into the
 * instance's private folder, used for the pulls and removed right after, so a registry password
 * is never in argv, in the environment of another process, or left on disk. Docker Hub's legacy
 * key `https://index.docker.io/v1/` is the registry `docker.io`. `env.auths` overlays
 * `workload.auths`, host by host.
 */
export function podmanAuthFile(...sources: unknown[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const source of sources) {
    if (source === null || typeof source !== 'object') continue;
    for (const [host, credential] of Object.entries(source as Record<string, unknown>)) {
      const { username, password } = (credential ?? {}) as Record<string, unknown>;
      const registry = host === 'https://index.docker.io/v1/' ? 'docker.io' : host;
      auths[registry] = {
        auth: Buffer.from(`${String(username ?? '')}:${String(password ?? '')}`).toString('base64'),
      };
    }
  }
  return `${JSON.stringify({ auths })}\n`;
}

/** The CA certificates of `env.cacerts` (`[{name: base64 of PEM}]`), as one PEM text. */
export function registryCaCertificates(cacerts: unknown): string {
  if (!Array.isArray(cacerts)) return '';
  const pems: string[] = [];
  for (const entry of cacerts) {
    if (entry === null || typeof entry !== 'object') continue;
    for (const value of Object.values(entry as Record<string, unknown>)) {
      const text = Buffer.from(String(value), 'base64').toString('utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----')) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          'env.cacerts holds a value that is not the base64 of a PEM certificate',
        );
      }
      pems.push(text.trim());
    }
  }
  return pems.length === 0 ? '' : `${pems.join('\n')}\n`;
}

/**
 * Starts the workload with the local podman: pulls every image by digest with the contract's
 * registry credentials, creates the pods and containers (labelled for the instance), forwards
 * each container's output under its name, and checks that every container is still running
 * (or finished with 0) after the start window. On any failure it removes what it created.
 */
export function createPodmanRuntime(options: PodmanRuntimeOptions = {}): ContainerRuntime {
  const command = options.command ?? 'podman';
  const choice = options.config ?? 'system';
  const startCheckMs = options.startCheckMs ?? DEFAULT_START_CHECK_MS;
  return {
    name: 'podman',
    async checkInstance(instanceDir: string): Promise<void> {
      const running = await runningInstanceContainers(instanceDir, choice, command);
      if (running.length > 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          worded`${instanceDir}: its workload still runs (${running.join(', ')}); ${phrase('stop-emulator-workload')} ${instanceDir}, or boot into another folder`,
        );
      }
    },
    async run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult> {
      const plan = await startablePlan(input, { materialize: true });
      const loose = unpinned(plan);
      if (loose.length > 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          `${loose.map((c) => `"${c.name}" (${c.image})`).join(', ')}: not pinned by @sha256: digest; the emulator cannot check workload.images signatures, so it runs images by digest only`,
        );
      }
      const instance = await openPodmanInstance(input.instanceDir, choice, command);
      // independent look-ups run side by side: every podman start costs a noticeable moment
      const [version, leftovers] = await Promise.all([
        instance.podman(['--version']),
        listInstanceContainers(instance),
      ]);
      if (version.status !== 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          worded`${command} --version failed: ${explainPodmanFailure(version.stderr, choice)}`,
        );
      }
      input.log(`using ${version.stdout.trim()} with ${describePodmanConfig(choice)}`);
      if (leftovers.length > 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          worded`a workload of this instance is still there (${leftovers.join(', ')}); ${phrase('stop-emulator-workload')} ${input.instanceDir}`,
        );
      }
      const steps = podmanWorkload(plan, instance.id, input.volumes, instance.dir);
      const followers = new Map<string, FollowedProcess>();
      const lastLines = new Map<string, string>();
      try {
        // the pulls and the pod set-up do not depend on each other; both finish before a
        // failure of either is reported, so the clean-up never races a creation
        const prepared = await Promise.allSettled([
          pullImages(instance, steps.images, input),
          (async () => {
            for (const folder of steps.hostFolders)
              await mkdir(folder, { recursive: true, mode: 0o700 });
            for (const step of [...steps.volumes, ...steps.pods]) await runStep(instance, step);
          })(),
        ]);
        for (const outcome of prepared) if (outcome.status === 'rejected') throw outcome.reason;
        for (const volume of steps.volumeFolders) {
          input.log(
            `volume ${volume.name}: the folder ${volume.folder} stands in for the opened LUKS2 mapping at ${volume.mount} (device-mapper is not available to the emulator)`,
          );
        }
        for (const container of steps.containers) {
          await runStep(instance, container.step, container.name);
          followers.set(
            container.name,
            followProcess(command, ['logs', '--follow', container.podmanName], {
              env: instance.env,
              onLine: (line) => {
                lastLines.set(container.name, line);
                input.output?.(container.name, line);
              },
            }),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, startCheckMs));
        const states = await inspectStates(instance, steps);
        const results: ContainerResult[] = [];
        for (const [index, container] of plan.containers.entries()) {
          const state = states[index]!;
          if (state.status === 'running' || (state.status === 'exited' && state.exitCode === 0)) {
            results.push({
              name: container.name,
              image: container.image,
              status: 'started',
              detail: `${describeContainer(container)}${state.status === 'exited' ? ' (already finished, exit 0)' : ''}`,
            });
            continue;
          }
          // its follower ends with the container: wait for the last lines it printed
          await Promise.race([followers.get(container.name)?.done, delay(FOLLOWER_FLUSH_MS)]);
          // the container's bytes go into a console line: no control characters
          const last = lastLines.get(container.name)?.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
          results.push({
            name: container.name,
            image: container.image,
            status: 'failed',
            detail: `did not keep running: ${state.status === 'exited' ? `exited with code ${state.exitCode} at start` : `state ${state.status}`}${last === undefined ? '' : ` (last output: ${last})`}`,
          });
        }
        if (results.some((result) => result.status === 'failed')) {
          await stopAll(followers);
          await removeInstanceParts(instance);
          return { containers: results };
        }
        return { containers: results, running: runningWorkload(instance, steps, followers) };
      } catch (error) {
        await stopAll(followers);
        await removeInstanceParts(instance).catch(() => undefined);
        throw error;
      }
    },
  };
}

async function pullImages(
  instance: PodmanInstance,
  images: string[],
  input: ContainerRuntimeInput,
): Promise<void> {
  const authFile = join(instance.dir, 'auth.json');
  const auths = [input.workload['auths'], input.env?.['auths']];
  const caPem = registryCaCertificates(input.env?.['cacerts']);
  await rm(authFile, { force: true });
  await writeFile(authFile, podmanAuthFile(...auths), { mode: 0o600, flag: 'wx' });
  try {
    for (const image of images) {
      const args = ['pull', '--quiet', '--authfile', authFile];
      if (caPem !== '') {
        const certDir = join(
          instance.dir,
          'certs',
          registryOf(image).replace(/[^a-zA-Z0-9.:_-]/g, '_'),
        );
        await mkdir(certDir, { recursive: true, mode: 0o700 });
        await writeFile(join(certDir, 'ca.crt'), caPem, { mode: 0o644 });
        args.push('--cert-dir', certDir);
      }
      args.push(image);
      const result = await instance.podman(args);
      if (result.status !== 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          worded`pulling ${image} failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
        );
      }
      input.log(`pulled ${image} from ${registryOf(image)}`);
    }
  } finally {
    await rm(authFile, { force: true });
  }
}

async function runStep(
  instance: PodmanInstance,
  step: PodmanStep,
  container?: string,
): Promise<void> {
  const envFile = step.envFile;
  if (envFile !== undefined) {
    const text = Object.entries(envFile.values)
      .map(([key, value]) => `${key}=${value}\n`)
      .join('');
    await rm(envFile.path, { force: true });
    await writeFile(envFile.path, text, { mode: 0o600, flag: 'wx' });
  }
  let result;
  try {
    result = await instance.podman(step.args);
  } finally {
    // podman copied the values into the container's configuration
    if (envFile !== undefined) await rm(envFile.path, { force: true });
  }
  if (result.status !== 0) {
    const what =
      container === undefined
        ? `podman ${step.args.slice(0, 2).join(' ')}`
        : `starting "${container}"`;
    throw new HpvsError(
      'RUNTIME_FAILED',
      worded`${what} failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
    );
  }
}

interface ContainerState {
  status: string;
  exitCode: number;
}

async function inspectStates(
  instance: PodmanInstance,
  steps: PodmanWorkload,
): Promise<ContainerState[]> {
  const result = await instance.podman([
    'inspect',
    '--type',
    'container',
    '--format',
    '{{.State.Status}} {{.State.ExitCode}}',
    ...steps.containers.map((c) => c.podmanName),
  ]);
  if (result.status !== 0) {
    throw new HpvsError(
      'RUNTIME_FAILED',
      worded`podman inspect failed: ${explainPodmanFailure(result.stderr, instance.choice)}`,
    );
  }
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [status, code] = line.split(' ');
      return { status: status ?? 'unknown', exitCode: Number(code) };
    });
}

function runningWorkload(
  instance: PodmanInstance,
  steps: PodmanWorkload,
  followers: Map<string, FollowedProcess>,
): RunningWorkload {
  return {
    async wait(signal) {
      if (signal.aborted) return;
      const waiter = followProcess(
        instance.command,
        ['wait', ...steps.containers.map((c) => c.podmanName)],
        {
          env: instance.env,
        },
      );
      const abort = () => void waiter.stop();
      signal.addEventListener('abort', abort, { once: true });
      await waiter.done;
      signal.removeEventListener('abort', abort);
      // the last lines the containers printed before they ended
      if (!signal.aborted)
        await Promise.race([
          Promise.all([...followers.values()].map((f) => f.done)),
          delay(FOLLOWER_FLUSH_MS),
        ]);
    },
    async detach() {
      await stopAll(followers);
    },
    async remove() {
      await stopAll(followers);
      await removeInstanceParts(instance);
    },
  };
}

async function stopAll(followers: Map<string, FollowedProcess>): Promise<void> {
  await Promise.all([...followers.values()].map((follower) => follower.stop()));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
