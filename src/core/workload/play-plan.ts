import { portNumber } from '../port-number.js';
import type { SignatureScheme } from './image-references.js';
import { podContainers } from './image-references.js';
import {
  checkHostSource,
  planImage,
  type PlanFindings,
  type PlannedMount,
  type PlannedPort,
  type VolumeMountPoint,
} from './container-plan.js';

/**
 * Plans the containers of one play document when it is a Pod. Init containers have their
 * images checked like every other (the runtime pulls them too) but are not planned as
 * containers of their own: the emulator does not run them before the pod.
 */
export function planPod(
  source: string,
  data: unknown,
  signed: ReadonlyMap<string, SignatureScheme>,
  volumes: readonly VolumeMountPoint[],
  configMaps: Map<string, Record<string, string>>,
  plan: PlanFindings,
): void {
  const object = (data ?? {}) as { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
  if (object.kind !== 'Pod') return;
  const spec = (object.spec ?? {}) as { volumes?: unknown };
  const pod = String(object.metadata?.name ?? 'pod');
  const hostPaths = new Map<string, string>();
  if (Array.isArray(spec.volumes)) {
    for (const volume of spec.volumes as Record<string, unknown>[]) {
      const hostPath = (volume?.['hostPath'] as { path?: unknown } | undefined)?.path;
      if (hostPath !== undefined) {
        hostPaths.set(String(volume['name']), String(hostPath));
      } else if (volume?.['configMap'] !== undefined || volume?.['secret'] !== undefined) {
        plan.problems.push(
          `${source} pod "${pod}" volume "${String(volume['name'])}": configMap and secret volumes are not emulated`,
        );
      }
    }
  }
  for (const path of hostPaths.values())
    checkHostSource(`${source} pod "${pod}"`, path, [], volumes, plan);
  for (const { list, container: raw } of podContainers(data)) {
    const name = `${pod}-${String(raw['name'] ?? 'container')}`;
    if (list === 'initContainers') {
      planImage(`${source} init container "${name}"`, raw['image'], signed, plan);
      continue;
    }
    const where = `${source} container "${name}"`;
    const { image, trust } = planImage(where, raw['image'], signed, plan);
    const ports: PlannedPort[] = [];
    for (const port of (Array.isArray(raw['ports']) ? raw['ports'] : []) as Record<
      string,
      unknown
    >[]) {
      const container = portNumber(port?.['containerPort']);
      const host = port?.['hostPort'] === undefined ? undefined : portNumber(port['hostPort']);
      if (container === undefined || (port?.['hostPort'] !== undefined && host === undefined)) {
        plan.problems.push(`${where} has an invalid port ${JSON.stringify(port)}`);
        continue;
      }
      ports.push({
        container,
        protocol: String(port['protocol'] ?? 'TCP').toLowerCase(),
        ...(host === undefined ? {} : { host }),
        ...(typeof port['hostIP'] === 'string' ? { hostIp: port['hostIP'] } : {}),
      });
    }
    const mounts: PlannedMount[] = [];
    for (const mount of (Array.isArray(raw['volumeMounts']) ? raw['volumeMounts'] : []) as Record<
      string,
      unknown
    >[]) {
      const volume = String(mount?.['name']);
      mounts.push({
        source: hostPaths.get(volume) ?? volume,
        target: String(mount?.['mountPath']),
        ...(mount?.['readOnly'] === true ? { readOnly: true } : {}),
      });
    }
    const entrypoint = stringList(raw['command']);
    const command = stringList(raw['args']);
    plan.containers.push({
      name,
      pod,
      image,
      trust,
      ports,
      mounts,
      environment: podEnvironment(where, raw, configMaps, plan),
      ...(entrypoint === undefined ? {} : { entrypoint }),
      ...(command === undefined ? {} : { command }),
      ...(typeof raw['workingDir'] === 'string' ? { workingDir: raw['workingDir'] } : {}),
    });
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((item) => String(item ?? '')) : undefined;
}

/** The ConfigMaps of a play workload by name, for `env.valueFrom` and `envFrom`. */
export function collectConfigMaps(documents: unknown[]): Map<string, Record<string, string>> {
  const maps = new Map<string, Record<string, string>>();
  for (const doc of documents) {
    const object = (doc ?? {}) as { kind?: unknown; metadata?: { name?: unknown }; data?: unknown };
    if (object.kind !== 'ConfigMap') continue;
    const data: Record<string, string> = {};
    if (object.data !== null && typeof object.data === 'object') {
      for (const [key, value] of Object.entries(object.data)) data[key] = String(value ?? '');
    }
    maps.set(String(object.metadata?.name ?? ''), data);
  }
  return maps;
}

function podEnvironment(
  where: string,
  container: Record<string, unknown>,
  configMaps: Map<string, Record<string, string>>,
  plan: PlanFindings,
): Record<string, string> {
  const environment: Record<string, string> = {};
  const envFrom = Array.isArray(container['envFrom']) ? container['envFrom'] : [];
  for (const source of envFrom as { configMapRef?: { name?: unknown } }[]) {
    const name = source?.configMapRef?.name;
    const map = name === undefined ? undefined : configMaps.get(String(name));
    if (map === undefined) {
      plan.problems.push(`${where} envFrom names no ConfigMap of the workload`);
      continue;
    }
    Object.assign(environment, map);
  }
  const env = Array.isArray(container['env']) ? container['env'] : [];
  for (const item of env as Record<string, unknown>[]) {
    const name = String(item?.['name']);
    const ref = (item?.['valueFrom'] as { configMapKeyRef?: { name?: unknown; key?: unknown } })
      ?.configMapKeyRef;
    if (ref !== undefined) {
      const value = configMaps.get(String(ref.name ?? ''))?.[String(ref.key)];
      if (value === undefined) {
        plan.problems.push(
          `${where} env ${name} refers to ConfigMap "${String(ref.name)}" key "${String(ref.key)}", which the workload does not define`,
        );
      } else environment[name] = value;
    } else if (item?.['valueFrom'] !== undefined) {
      plan.problems.push(`${where} env ${name}: only configMapKeyRef values are emulated`);
    } else {
      environment[name] = String(item?.['value'] ?? '');
    }
  }
  return environment;
}
