import { isMapping } from '../mapping.js';
import { isMap, parseAllDocuments } from 'yaml';
import { HpvsError } from '../errors.js';

/**
 * The containers a Kubernetes manifest asks to run, in the order the kubelet starts them
 * (init containers first). For workload kinds the pod template is read: IBM's generator reads
 * only `kind: Pod` and silently finds nothing in a Deployment (SPEC-IBM A7.7).
 */

export interface PlannedContainer {
  /** `Deployment/web` or `Pod/app`, for messages. */
  owner: string;
  name: string;
  image: string;
  init: boolean;
  /** `command` followed by `args` (the OCI process args CRI-O passes), or undefined when neither is set. */
  args?: string[];
  /** Environment variables the container gets from values (not from references). */
  env: { name: string; value: string }[];
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS);

/** Every container of every pod or workload object in the (multi-document) manifest. */
export function planContainers(text: string, source: string): PlannedContainer[] {
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the manifest is empty`);
  const containers: PlannedContainer[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true }) as ReturnType<
    typeof parseAllDocuments
  > &
    unknown[]) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const pos = error.linePos?.[0];
      throw new HpvsError(
        'YAML_INVALID',
        `${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${error.message.split('\n')[0]}`,
      );
    }
    if (!isMap(doc.contents)) continue;
    const object = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    const kind = object.kind;
    if (typeof kind !== 'string' || !Object.hasOwn(POD_SPEC_PATHS, kind)) continue;
    const name = (object.metadata as { name?: unknown } | undefined)?.name;
    const owner = `${kind}/${typeof name === 'string' ? name : '(unnamed)'}`;
    let spec: unknown = object;
    for (const step of POD_SPEC_PATHS[kind]!) {
      spec = isMapping(spec) ? spec[step] : undefined;
    }
    if (!isMapping(spec)) continue;
    for (const [field, init] of [
      ['initContainers', true],
      ['containers', false],
    ] as const) {
      const list = spec[field];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        throw new HpvsError('YAML_INVALID', `${source}: ${owner} ${field} must be a list`);
      }
      for (const [index, entry] of list.entries()) {
        containers.push(container(entry, init, owner, `${field}[${index}]`, source));
      }
    }
  }
  const withImages = containers.filter((entry) => entry.image !== '');
  if (withImages.length === 0) {
    throw new HpvsError(
      'YAML_INVALID',
      `${source}: no container with an image in any ${WORKLOAD_KINDS.join(', ')}`,
    );
  }
  return withImages;
}

function container(
  entry: unknown,
  init: boolean,
  owner: string,
  where: string,
  source: string,
): PlannedContainer {
  const bad = (detail: string): never => {
    throw new HpvsError('YAML_INVALID', `${source}: ${owner} ${where}${detail}`);
  };
  if (!isMapping(entry)) bad(' must be a mapping');
  const record = entry as Record<string, unknown>;
  const image = record.image ?? '';
  if (typeof image !== 'string') bad('.image must be a string');
  const name = typeof record.name === 'string' ? record.name : '';
  const strings = (field: 'command' | 'args'): string[] | undefined => {
    const value = record[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      bad(`.${field} must be a list of strings`);
    }
    return value as string[];
  };
  const command = strings('command');
  const args = strings('args');
  const env = Array.isArray(record.env)
    ? record.env.flatMap((item: unknown) =>
        isMapping(item) && typeof item.name === 'string' && typeof item.value === 'string'
          ? [{ name: item.name, value: item.value }]
          : [],
      )
    : [];
  return {
    owner,
    name,
    image: image as string,
    init,
    ...(command === undefined && args === undefined
      ? {}
      : { args: [...(command ?? []), ...(args ?? [])] }),
    env,
  };
}
