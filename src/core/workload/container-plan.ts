import { imageTrust, type SignatureScheme } from './image-references.js';

/**
 * What a workload would run, worked out the way the runtime does before it starts anything:
 * the archive unpacked, `${VAR}` / `{{ .Env.VAR }}` filled from the environment, and every
 * container checked for an image the runtime will accept (pinned by digest or covered by a
 * signature in `workload.images`), well-formed non-clashing ports and host mounts that lie on
 * a contract volume. Pure: the emulator writes the files an engine reads.
 */

export interface PlannedPort {
  /** The host address the port is published on (`127.0.0.1:8080:80`); all when absent. */
  hostIp?: string;
  host?: number;
  container: number;
  protocol: string;
}

export interface PlannedMount {
  /**
   * An absolute path on a contract volume, `./x` in the archive, a named volume, or
   * `(anonymous)`.
   */
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface PlannedContainer {
  name: string;
  /** The pod the container runs in: the compose project, or the play Pod's name. */
  pod: string;
  image: string;
  /** `digest`, or the `workload.images` entry that covers the image. */
  trust: string;
  ports: PlannedPort[];
  mounts: PlannedMount[];
  /** What the container sees (compose `environment`, play `env`), already interpolated. */
  environment: Record<string, string>;
  /** Replaces the image's entrypoint (compose `entrypoint`, play `command`). */
  entrypoint?: string[];
  /** Replaces the image's command (compose `command`, play `args`). */
  command?: string[];
  workingDir?: string;
}

/** Where a contract volume is mounted, which is all a plan needs to know of it. */
export interface VolumeMountPoint {
  mount: string;
}

/** What the planning of one workload found so far. */
export interface PlanFindings {
  containers: PlannedContainer[];
  problems: string[];
}

/** The compose workload runs as one pod, like the runtime's single pod. */
export const COMPOSE_POD = 'compose';

/** Host paths must lie on a contract volume; relative ones must be in the workload archive. */
export function checkHostSource(
  where: string,
  source: string,
  archivePaths: readonly string[],
  volumes: readonly VolumeMountPoint[],
  plan: PlanFindings,
): void {
  if (source.startsWith('/')) {
    const onVolume = volumes.some((v) => source === v.mount || source.startsWith(`${v.mount}/`));
    if (!onVolume) {
      const mounts = volumes.map((v) => v.mount).join(', ') || 'none';
      plan.problems.push(
        `${where} mounts the host path ${source}, which is not on a contract volume (workload.volumes mounts: ${mounts}); only those survive a restart encrypted`,
      );
    }
  } else if (source.startsWith('./') || source.startsWith('../')) {
    const relative = source.replace(/^\.\//, '').replace(/\/$/, '');
    if (source.startsWith('../') || !archivePaths.includes(relative)) {
      plan.problems.push(`${where} mounts ${source}, which is not in the workload archive`);
    }
  }
}

/** Two containers cannot publish the same host port. */
export function checkPorts(plan: PlanFindings): void {
  const owners = new Map<string, string>();
  for (const container of plan.containers) {
    for (const port of container.ports) {
      if (port.host === undefined) continue;
      const key = `${port.host}/${port.protocol}`;
      const owner = owners.get(key);
      if (owner !== undefined) {
        plan.problems.push(
          `host port ${key} is published by both "${owner}" and "${container.name}"`,
        );
      } else owners.set(key, container.name);
    }
  }
}

/** The image of a container and why the runtime accepts it; a problem when it would not. */
export function planImage(
  where: string,
  image: unknown,
  signed: ReadonlyMap<string, SignatureScheme>,
  plan: PlanFindings,
): { image: string; trust: string } {
  if (typeof image !== 'string' || image.length === 0) {
    plan.problems.push(`${where} has no image`);
    return { image: '?', trust: 'none' };
  }
  const trust = imageTrust(image, signed);
  if (trust === undefined) {
    plan.problems.push(
      `${where} image "${image}" is neither pinned by @sha256: digest nor covered by workload.images (dct or rhs); the runtime refuses it`,
    );
    return { image, trust: 'none' };
  }
  return { image, trust: trust === 'digest' ? 'digest' : `workload.images.${trust}` };
}
