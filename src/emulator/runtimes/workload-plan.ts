import { join } from 'node:path';
import { extractTgz } from '../../core/archive/extract-tgz.js';
import type { ArchiveEntry } from '../../core/archive/archive-entry.js';
import { HpvsError } from '../../core/errors.js';
import { decodeUtf8Exactly } from '../../core/text/utf8-text.js';
import { writeArchiveEntries } from '../../node/write-folder.js';
import type {
  ContainerResult,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
  ContractVolume,
} from './container-runtime.js';

/**
 * What the workload would run, worked out the way the runtime does before it starts anything:
 * the archive unpacked, `${VAR}` / `{{ .Env.VAR }}` filled from the environment, and every
 * container checked for an image the runtime will accept (pinned by digest or covered by a
 * signature in `workload.images`), well-formed non-clashing ports and host mounts that lie on
 * a contract volume.
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

export interface WorkloadPlan {
  kind: 'compose' | 'play';
  /** The folder holding the files the runtime reads (compose folder or pod YAML files). */
  dir: string;
  /** compose: the compose file; play: the pod YAML files, in order. */
  files: string[];
  containers: PlannedContainer[];
  problems: string[];
}

const COMPOSE_FILES = ['docker-compose.yaml', 'docker-compose.yml'];

export interface PlanOptions {
  /**
   * Write the workload's files below `workDir` for an engine to read. Off for a plan: the
   * decrypted workload then never touches the disk.
   */
  materialize?: boolean;
}

export async function planWorkload(
  input: ContainerRuntimeInput,
  options: PlanOptions = {},
): Promise<WorkloadPlan> {
  const materialize = options.materialize ?? false;
  const workload = input.workload;
  const env = input.environment;
  const compose = workload['compose'] as { archive?: unknown } | undefined;
  const play = workload['play'] as
    { archive?: unknown; resources?: unknown; templates?: unknown } | undefined;
  const images = collectImageTrust(workload['images']);
  if (compose !== undefined) {
    const dir = join(input.workDir, 'compose');
    const entries = await unpack(
      compose.archive,
      'workload.compose.archive',
      materialize ? dir : undefined,
    );
    const file = COMPOSE_FILES.find((name) =>
      entries.some((e) => e.type === 'file' && e.path === name),
    );
    if (file === undefined) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        'workload.compose.archive has no docker-compose.yaml or docker-compose.yml at its top level',
      );
    }
    const text = runtimeYaml(() => fileText(entries, file));
    const plan: WorkloadPlan = {
      kind: 'compose',
      dir,
      files: [join(dir, file)],
      containers: [],
      problems: [],
    };
    const missing = new Set<string>();
    const substituted = substituteCompose(text, env, missing);
    for (const name of missing) {
      plan.problems.push(
        `${file} uses \${${name}} without a default, but neither workload.env nor env.env sets ${name}`,
      );
    }
    await planCompose(substituted, file, entries, images, input.volumes, plan);
    checkPorts(plan);
    return plan;
  }
  if (play !== undefined) {
    const dir = join(input.workDir, 'play');
    const plan: WorkloadPlan = { kind: 'play', dir, files: [], containers: [], problems: [] };
    const [{ stringify }, { parseYamlDocuments, yamlValue }] = await Promise.all([
      import('yaml'),
      import('../../core/text/parse-yaml.js'),
    ]);
    const documents: { source: string; data: unknown }[] = [];
    if (play.archive !== undefined) {
      const entries = await unpack(
        play.archive,
        'workload.play.archive',
        materialize ? dir : undefined,
      );
      for (const entry of entries) {
        if (entry.type !== 'file' || entry.path.includes('/') || !/\.ya?ml$/.test(entry.path))
          continue;
        plan.files.push(join(dir, entry.path));
        const parsed = runtimeYaml(() =>
          parseYamlDocuments(decodeUtf8Exactly(Buffer.from(entry.data), entry.path), entry.path),
        );
        for (const doc of parsed.documents) {
          documents.push({ source: entry.path, data: runtimeYaml(() => yamlValue(parsed, doc)) });
        }
      }
    } else {
      const resources = play.resources ?? play.templates;
      const what = play.resources !== undefined ? 'resources' : 'templates';
      if (!Array.isArray(resources)) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          `workload.play has no archive, resources or templates to run`,
        );
      }
      const rendered = what === 'templates' ? renderTemplates(resources, env) : resources;
      const file = join(dir, `play-${what}.yaml`);
      if (materialize) {
        const { mkdir, writeFile } = await import('node:fs/promises');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(file, rendered.map((item) => stringify(item)).join('---\n'), {
          mode: 0o600,
        });
      }
      plan.files.push(file);
      rendered.forEach((data, index) =>
        documents.push({ source: `workload.play.${what}[${index}]`, data }),
      );
    }
    const configMaps = collectConfigMaps(documents.map((doc) => doc.data));
    for (const doc of documents)
      planPod(doc.source, doc.data, images, input.volumes, configMaps, plan);
    if (plan.containers.length === 0)
      plan.problems.push('workload.play defines no Pod with containers');
    checkPorts(plan);
    return plan;
  }
  throw new HpvsError('RUNTIME_FAILED', 'workload has neither compose nor play; nothing to run');
}

async function unpack(
  archive: unknown,
  source: string,
  dir: string | undefined,
): Promise<ArchiveEntry[]> {
  if (typeof archive !== 'string' || archive.length === 0) {
    throw new HpvsError('RUNTIME_FAILED', `${source} is missing or empty`);
  }
  const compact = archive.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new HpvsError('RUNTIME_FAILED', `${source} is not base64`);
  }
  const entries = await extractTgz(Buffer.from(compact, 'base64'), { source });
  if (dir !== undefined) await writeArchiveEntries(dir, entries);
  return entries;
}

function fileText(entries: ArchiveEntry[], path: string): string {
  const entry = entries.find((e) => e.type === 'file' && e.path === path);
  return entry?.type === 'file' ? decodeUtf8Exactly(Buffer.from(entry.data), path) : '';
}

/**
 * `${VAR}`, `${VAR:-default}` and `$VAR` as compose interpolates them; `$$` is a literal `$`.
 * Names without a value or default are added to `missing` (compose would put an empty string).
 */
export function substituteCompose(
  text: string,
  env: Record<string, string>,
  missing?: Set<string>,
): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = braced ?? bare!;
      const value = env[name] ?? fallback;
      if (value === undefined) missing?.add(name);
      return value ?? '';
    },
  );
}

/** Fills `{{ .Env.NAME }}` in every string of the play templates. */
export function renderTemplates(resources: unknown[], env: Record<string, string>): unknown[] {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\{\{\s*\.Env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
        if (env[name] === undefined) {
          throw new HpvsError(
            'RUNTIME_FAILED',
            `workload.play.templates uses {{ .Env.${name} }}, but neither workload.env nor env.env sets ${name}`,
          );
        }
        return env[name]!;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return resources.map(render);
}

function collectImageTrust(images: unknown): Map<string, string> {
  const trust = new Map<string, string>();
  if (images === null || typeof images !== 'object') return trust;
  for (const kind of ['dct', 'rhs']) {
    const entries = (images as Record<string, unknown>)[kind];
    if (entries === null || typeof entries !== 'object') continue;
    for (const name of Object.keys(entries)) trust.set(name, `workload.images.${kind}`);
  }
  return trust;
}

/** Image reference without tag or digest: `registry/repo[:tag][@digest]` -> `registry/repo`. */
function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

function imageTrust(image: string, images: Map<string, string>): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return 'digest';
  return images.get(image) ?? images.get(repositoryOf(image));
}

function planImage(
  where: string,
  image: unknown,
  images: Map<string, string>,
  plan: WorkloadPlan,
): { image: string; trust: string } {
  if (typeof image !== 'string' || image.length === 0) {
    plan.problems.push(`${where} has no image`);
    return { image: '?', trust: 'none' };
  }
  const trust = imageTrust(image, images);
  if (trust === undefined) {
    plan.problems.push(
      `${where} image "${image}" is neither pinned by @sha256: digest nor covered by workload.images (dct or rhs); the runtime refuses it`,
    );
    return { image, trust: 'none' };
  }
  return { image, trust };
}

/** A workload file the runtime cannot read stops the workload, as the runtime's own would. */
function runtimeYaml<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof HpvsError) || error.code !== 'YAML_INVALID') throw error;
    throw new HpvsError('RUNTIME_FAILED', error.message, { cause: error });
  }
}

async function planCompose(
  text: string,
  file: string,
  entries: ArchiveEntry[],
  images: Map<string, string>,
  volumes: ContractVolume[],
  plan: WorkloadPlan,
): Promise<void> {
  const { parseYamlDocument, yamlValue } = await import('../../core/text/parse-yaml.js');
  const doc = runtimeYaml(() => {
    const parsed = parseYamlDocument(text, file);
    return yamlValue(parsed, parsed.doc);
  });
  const services = (doc as { services?: unknown } | null)?.services;
  if (services === null || typeof services !== 'object' || Array.isArray(services)) {
    throw new HpvsError('RUNTIME_FAILED', `${file}: has no services`);
  }
  for (const [name, raw] of Object.entries(services as Record<string, unknown>)) {
    const service = (raw ?? {}) as Record<string, unknown>;
    const where = `${file} service "${name}"`;
    if (service['build'] !== undefined) {
      plan.problems.push(`${where} has a build: section; the runtime only pulls images`);
    }
    const { image, trust } = planImage(where, service['image'], images, plan);
    const ports = Array.isArray(service['ports'])
      ? service['ports'].flatMap((port) => composePort(where, port, plan))
      : [];
    const mounts = Array.isArray(service['volumes'])
      ? service['volumes'].flatMap((mount) => composeMount(where, mount, entries, volumes, plan))
      : [];
    const entrypoint = commandLine(service['entrypoint']);
    const command = commandLine(service['command']);
    plan.containers.push({
      name: String(service['container_name'] ?? name),
      pod: COMPOSE_POD,
      image,
      trust,
      ports,
      mounts,
      environment: composeEnvironment(service['environment']),
      ...(entrypoint === undefined ? {} : { entrypoint }),
      ...(command === undefined ? {} : { command }),
      ...(typeof service['working_dir'] === 'string' ? { workingDir: service['working_dir'] } : {}),
    });
  }
}

/** The compose workload runs as one pod, like the runtime's single pod. */
export const COMPOSE_POD = 'compose';

/** compose `environment`: a mapping, or a list of `KEY=VALUE` (a bare `KEY` has no value). */
function composeEnvironment(value: unknown): Record<string, string> {
  const environment: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const equals = text.indexOf('=');
      if (equals > 0) environment[text.slice(0, equals)] = text.slice(equals + 1);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) environment[key] = String(v);
    }
  }
  return environment;
}

/**
 * compose `command` / `entrypoint`: a list as it is, or a string split the way compose splits
 * it (shell words with quotes, no shell features).
 */
export function commandLine(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((item) => String(item));
  if (typeof value !== 'string') return undefined;
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < value.length) word += value[++i]!;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '\\' && i + 1 < value.length) {
      word = (word ?? '') + value[++i]!;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function composePort(where: string, spec: unknown, plan: WorkloadPlan): PlannedPort[] {
  if (spec !== null && typeof spec === 'object') {
    const long = spec as { target?: unknown; published?: unknown; protocol?: unknown };
    const container = portNumber(long.target);
    const host = long.published === undefined ? undefined : portNumber(long.published);
    if (container === undefined || (long.published !== undefined && host === undefined)) {
      plan.problems.push(`${where} has an invalid port mapping ${JSON.stringify(spec)}`);
      return [];
    }
    return [
      {
        container,
        protocol: String(long.protocol ?? 'tcp'),
        ...(host === undefined ? {} : { host }),
      },
    ];
  }
  const text = String(spec);
  const match =
    /^(?:(\[[^\]]+\]|\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+)(?:-(\d+))?:)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(
      text,
    );
  if (!match) {
    plan.problems.push(
      `${where} has an invalid port mapping "${text}" (expected [HOST_IP:]HOST:CONTAINER[/tcp|udp])`,
    );
    return [];
  }
  if (match[3] !== undefined || match[5] !== undefined) {
    plan.problems.push(`${where} port range "${text}" is not supported by the emulator`);
    return [];
  }
  const host = match[2] === undefined ? undefined : portNumber(match[2]);
  const container = portNumber(match[4]);
  if (container === undefined || (match[2] !== undefined && host === undefined)) {
    plan.problems.push(`${where} port mapping "${text}" is out of the range 1-65535`);
    return [];
  }
  return [
    {
      container,
      protocol: match[6] ?? 'tcp',
      ...(host === undefined ? {} : { host }),
      ...(match[1] === undefined ? {} : { hostIp: match[1].replace(/^\[|\]$/g, '') }),
    },
  ];
}

function portNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 1 && number <= 65535 ? number : undefined;
}

function composeMount(
  where: string,
  spec: unknown,
  entries: ArchiveEntry[],
  volumes: ContractVolume[],
  plan: WorkloadPlan,
): PlannedMount[] {
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  if (typeof spec === 'string') {
    const parts = spec.split(':');
    if (parts.length === 1) target = parts[0];
    else [source, target] = parts as [string, string];
    readOnly = parts.length === 3 && parts[2]!.split(',').includes('ro');
  } else if (spec !== null && typeof spec === 'object') {
    const long = spec as { source?: unknown; target?: unknown; read_only?: unknown };
    source = long.source === undefined ? undefined : String(long.source);
    target = long.target === undefined ? undefined : String(long.target);
    readOnly = long.read_only === true;
  }
  if (target === undefined || !target.startsWith('/')) {
    plan.problems.push(`${where} has an invalid volume mount ${JSON.stringify(spec)}`);
    return [];
  }
  if (source === undefined) return [{ source: '(anonymous)', target }];
  checkHostSource(where, source, entries, volumes, plan);
  return [{ source, target, ...(readOnly ? { readOnly } : {}) }];
}

function checkHostSource(
  where: string,
  source: string,
  entries: ArchiveEntry[],
  volumes: ContractVolume[],
  plan: WorkloadPlan,
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
    if (source.startsWith('../') || !entries.some((e) => e.path === relative)) {
      plan.problems.push(`${where} mounts ${source}, which is not in the workload archive`);
    }
  }
}

function planPod(
  source: string,
  data: unknown,
  images: Map<string, string>,
  volumes: ContractVolume[],
  configMaps: Map<string, Record<string, string>>,
  plan: WorkloadPlan,
): void {
  const object = (data ?? {}) as { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
  if (object.kind !== 'Pod') return;
  const spec = (object.spec ?? {}) as { containers?: unknown; volumes?: unknown };
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
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  for (const raw of containers as Record<string, unknown>[]) {
    const name = `${pod}-${String(raw?.['name'] ?? 'container')}`;
    const where = `${source} container "${name}"`;
    const { image, trust } = planImage(where, raw?.['image'], images, plan);
    const ports: PlannedPort[] = [];
    for (const port of (Array.isArray(raw?.['ports']) ? raw['ports'] : []) as Record<
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
    for (const mount of (Array.isArray(raw?.['volumeMounts']) ? raw['volumeMounts'] : []) as Record<
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
    const entrypoint = stringList(raw?.['command']);
    const command = stringList(raw?.['args']);
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
      ...(typeof raw?.['workingDir'] === 'string' ? { workingDir: raw['workingDir'] } : {}),
    });
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((item) => String(item ?? '')) : undefined;
}

/** The ConfigMaps of a play workload by name, for `env.valueFrom` and `envFrom`. */
function collectConfigMaps(documents: unknown[]): Map<string, Record<string, string>> {
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
  plan: WorkloadPlan,
): Record<string, string> {
  const environment: Record<string, string> = {};
  const envFrom = Array.isArray(container?.['envFrom']) ? container['envFrom'] : [];
  for (const source of envFrom as { configMapRef?: { name?: unknown } }[]) {
    const name = source?.configMapRef?.name;
    const map = name === undefined ? undefined : configMaps.get(String(name));
    if (map === undefined) {
      plan.problems.push(`${where} envFrom names no ConfigMap of the workload`);
      continue;
    }
    Object.assign(environment, map);
  }
  const env = Array.isArray(container?.['env']) ? container['env'] : [];
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

function checkPorts(plan: WorkloadPlan): void {
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

/** The plan, or a `RUNTIME_FAILED` error listing every problem that keeps it from starting. */
export async function startablePlan(
  input: ContainerRuntimeInput,
  options: PlanOptions = {},
): Promise<WorkloadPlan> {
  const plan = await planWorkload(input, options);
  if (plan.problems.length > 0) {
    throw new HpvsError('RUNTIME_FAILED', `the workload cannot start: ${plan.problems.join('; ')}`);
  }
  return plan;
}

/** One result per planned container, all with the same status. */
export function containerResults(
  plan: WorkloadPlan,
  status: ContainerResult['status'],
): ContainerRuntimeResult {
  return {
    containers: plan.containers.map((container) => ({
      name: container.name,
      image: container.image,
      status,
      detail: describeContainer(container),
    })),
  };
}

/** One line per container, for the console. */
export function describeContainer(container: PlannedContainer): string {
  const ports = container.ports
    .map((p) => `${p.host ?? '(ephemeral)'}->${p.container}/${p.protocol}`)
    .join(', ');
  const mounts = container.mounts.map((m) => `${m.source}->${m.target}`).join(', ');
  return `${container.name}: image ${container.image} (${container.trust === 'digest' ? 'pinned by digest' : `signed, ${container.trust}`})${ports ? `, ports ${ports}` : ''}${mounts ? `, mounts ${mounts}` : ''}`;
}
