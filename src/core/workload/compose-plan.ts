import { portNumber } from '../port-number.js';
import { HpvsError } from '../errors.js';
import type { SignatureScheme } from './image-references.js';
import {
  checkHostSource,
  COMPOSE_POD,
  planImage,
  type PlanFindings,
  type PlannedMount,
  type PlannedPort,
  type VolumeMountPoint,
} from './container-plan.js';
import { runtimeYaml } from './runtime-yaml.js';

/** Plans each service of an interpolated compose file as a container of the one compose pod. */
export async function planCompose(
  text: string,
  file: string,
  archivePaths: readonly string[],
  signed: ReadonlyMap<string, SignatureScheme>,
  volumes: readonly VolumeMountPoint[],
  plan: PlanFindings,
): Promise<void> {
  const { parseYamlDocument, yamlValue } = await import('../text/parse-yaml.js');
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
    const { image, trust } = planImage(where, service['image'], signed, plan);
    const ports = Array.isArray(service['ports'])
      ? service['ports'].flatMap((port) => composePort(where, port, plan))
      : [];
    const mounts = Array.isArray(service['volumes'])
      ? service['volumes'].flatMap((mount) =>
          composeMount(where, mount, archivePaths, volumes, plan),
        )
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

function composePort(where: string, spec: unknown, plan: PlanFindings): PlannedPort[] {
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

function composeMount(
  where: string,
  spec: unknown,
  archivePaths: readonly string[],
  volumes: readonly VolumeMountPoint[],
  plan: PlanFindings,
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
  checkHostSource(where, source, archivePaths, volumes, plan);
  return [{ source, target, ...(readOnly ? { readOnly } : {}) }];
}
