import { posix, resolve } from 'node:path';
import { HpvsError } from '../../core/errors.js';
import { input as phrase, worded } from '../../core/wording.js';
import type { ContractVolume } from './container-runtime.js';
import type { PlannedContainer, PlannedPort, WorkloadPlan } from './workload-plan.js';

/**
 * The podman invocations that start a planned workload, as data. Compose services run in one
 * pod (the runtime's single pod: they reach each other on localhost, and by service name via
 * `--add-host`); each play Pod is a pod. Everything is named `hpvs-<instance id>-...` and
 * carries the instance label, so the emulator only ever acts on what it created.
 */

export const INSTANCE_LABEL = 'io.github.hpvs-ctl.emulator.instance';

export interface PodmanStep {
  args: string[];
  /**
   * The container's environment, for the file `args` names with `--env-file`: values (which may
   * be secrets) never go into argv, and never into podman's own environment, where a key like
   * PATH or CONTAINERS_CONF would change podman itself.
   */
  envFile?: { path: string; values: Record<string, string> };
}

export interface PodmanWorkload {
  /** Images to pull, each once, in order. */
  images: string[];
  volumes: PodmanStep[];
  pods: PodmanStep[];
  containers: { name: string; podmanName: string; step: PodmanStep }[];
  /** Contract volumes the containers mount. */
  volumeFolders: ContractVolume[];
  /** Host folders on contract volumes the containers mount, to create before they start. */
  hostFolders: string[];
}

export function podmanName(instanceId: string, name: string): string {
  return `hpvs-${instanceId}-${name}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

export function podmanWorkload(
  plan: WorkloadPlan,
  instanceId: string,
  volumes: ContractVolume[],
  privateDir: string,
): PodmanWorkload {
  const label = `${INSTANCE_LABEL}=${instanceId}`;
  const name = (part: string) => podmanName(instanceId, part);
  const images = [...new Set(plan.containers.map((c) => c.image))];
  const podNames = [...new Set(plan.containers.map((c) => c.pod))];
  const pods = podNames.map((pod) => {
    const members = plan.containers.filter((c) => c.pod === pod);
    const args = ['pod', 'create', '--name', name(pod), '--label', label];
    for (const port of members.flatMap((c) => c.ports)) args.push('--publish', portSpec(port));
    if (plan.kind === 'compose') {
      for (const member of members) args.push('--add-host', `${member.name}:127.0.0.1`);
    }
    return { args };
  });
  const named = new Set<string>();
  const volumeFolders = new Map<string, ContractVolume>();
  const hostFolders = new Set<string>();
  const containers = plan.containers.map((container) => {
    const podmanName = name(container.name);
    const args = [
      'run',
      '--detach',
      '--pull',
      'never',
      '--pod',
      name(container.pod),
      '--name',
      podmanName,
      '--label',
      label,
    ];
    let envFile: PodmanStep['envFile'];
    if (Object.keys(container.environment).length > 0) {
      for (const [key, value] of Object.entries(container.environment)) {
        // podman's env file has one KEY=VALUE per line and no quoting
        if (/[\n\r]/.test(value) || !/^[^=\s#][^=]*$/.test(key)) {
          throw new HpvsError(
            'RUNTIME_FAILED',
            `"${container.name}" environment ${JSON.stringify(key)}: podman cannot pass a name with "=" or a value with a line break`,
          );
        }
      }
      envFile = {
        path: resolve(privateDir, `${podmanName}.env`),
        values: container.environment,
      };
      args.push('--env-file', envFile.path);
    }
    for (const mount of container.mounts) {
      const source = mountSource(mount.source, plan, volumes, instanceId);
      if (source.kind === 'volume') {
        volumeFolders.set(source.volume.name, source.volume);
        hostFolders.add(source.path);
      }
      if (source.kind === 'named') named.add(source.path);
      const options = mount.readOnly ? ':ro' : '';
      args.push(
        '--volume',
        source.kind === 'anonymous' ? mount.target : `${source.path}:${mount.target}${options}`,
      );
    }
    if (container.workingDir !== undefined) args.push('--workdir', container.workingDir);
    if (container.entrypoint !== undefined)
      args.push('--entrypoint', JSON.stringify(container.entrypoint));
    args.push(container.image, ...(container.command ?? []));
    return {
      name: container.name,
      podmanName,
      step: envFile === undefined ? { args } : { args, envFile },
    };
  });
  return {
    images,
    volumes: [...named].map((volume) => ({
      args: ['volume', 'create', '--label', label, volume],
    })),
    pods,
    containers,
    volumeFolders: [...volumeFolders.values()],
    hostFolders: [...hostFolders],
  };
}

function portSpec(port: PlannedPort): string {
  const container = `${port.container}/${port.protocol}`;
  if (port.host === undefined && port.hostIp === undefined) return container;
  const ip =
    port.hostIp === undefined
      ? ''
      : `${port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp}:`;
  return `${ip}${port.host ?? ''}:${container}`;
}

type MountSource =
  | { kind: 'volume'; path: string; volume: ContractVolume }
  | { kind: 'archive'; path: string }
  | { kind: 'named'; path: string }
  | { kind: 'anonymous' };

function mountSource(
  source: string,
  plan: WorkloadPlan,
  volumes: ContractVolume[],
  instanceId: string,
): MountSource {
  if (source === '(anonymous)') return { kind: 'anonymous' };
  let resolved: MountSource;
  if (source.startsWith('/')) {
    const volume = volumes.find((v) => source === v.mount || source.startsWith(`${v.mount}/`));
    // the plan refused host paths outside the contract volumes
    if (volume === undefined)
      throw new HpvsError('RUNTIME_FAILED', `${source} is not on a contract volume`);
    const rest = posix.normalize(source.slice(volume.mount.length) || '/');
    if (rest.split('/').includes('..'))
      throw new HpvsError('RUNTIME_FAILED', `${source} leaves the contract volume ${volume.name}`);
    resolved = { kind: 'volume', path: resolve(volume.folder, `.${rest}`), volume };
  } else if (source.startsWith('./')) {
    resolved = { kind: 'archive', path: resolve(plan.dir, posix.normalize(source)) };
  } else {
    resolved = { kind: 'named', path: podmanName(instanceId, source) };
  }
  // podman's --volume syntax has no escape for these
  if (/[:,]/.test(resolved.path)) {
    throw new HpvsError(
      'RUNTIME_FAILED',
      worded`the host path ${resolved.path} for ${source} holds ":" or ",", which podman --volume cannot express; use ${phrase('instance-folder')} without them`,
    );
  }
  return resolved;
}

/** The registry host of an image reference, as podman resolves it. */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  return image.includes('/') &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** Containers of the plan whose image is not pinned by digest. */
export function unpinned(plan: WorkloadPlan): PlannedContainer[] {
  return plan.containers.filter((c) => c.trust !== 'digest');
}
