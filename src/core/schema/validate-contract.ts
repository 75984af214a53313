import { isMapping } from '../mapping.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import {
  isPlaintextSection,
  USER_DATA_LIMIT,
  type ContractSection,
  type ParsedUserData,
  type YamlPath,
} from '../contract/user-data.js';
import { PLATFORMS, type PlatformName } from '../platforms/platforms.js';
import { KNOWN_KEYS } from './contract-schema.js';
import {
  checkAttestationKey,
  checkCompose,
  checkEnvSection,
  checkSignature,
  checkVolumeNames,
  checkWorkloadSection,
  type RuleContext,
} from './cross-section-rules.js';
import { checkConfidentialContainers } from './confidential-containers-rules.js';
import { checkEncryptedSection } from './encrypted-section-check.js';
// Ajv's code for contract-schema.ts, compiled when the CLI is built (see validator-source.ts)
import {
  env as envValidator,
  workload as workloadValidator,
} from './generated/contract-validators.js';
import { ProblemList, type ValidationReport } from './problems.js';
import { checkYaml11Scalars } from './yaml11-scalars.js';

export interface ValidateOptions {
  /** The runtime whose schema applies; hpvs and ccrt share one (1.0.116), the default. */
  platform?: PlatformName;
  /** For the expiry of a certificate signingKey: the caller's clock (the core has none). */
  now: Date;
}

type SectionKind = 'workload' | 'env';

type Validators = Record<SectionKind, ValidateFunction>;

const HPSE_VALIDATORS: Validators = { workload: workloadValidator, env: envValidator };
let cocoValidators: Promise<Validators> | undefined;

/**
 * The validators of a platform family. ccco's (about half of the generated code) load the first
 * time a ccco section is checked, so that a command for hpvs or ccrt does not parse them.
 */
async function validatorsOf(family: 'hpse' | 'coco'): Promise<Validators> {
  if (family === 'hpse') return HPSE_VALIDATORS;
  cocoValidators ??= import('./generated/coco-validators.js').then((module) => ({
    workload: module.cocoWorkload,
    env: module.cocoEnv,
  }));
  return cocoValidators;
}

function ruleContext(options: ValidateOptions): RuleContext {
  return {
    list: new ProblemList(),
    platform: PLATFORMS[options.platform ?? 'hpvs'],
    now: options.now,
  };
}

/** Checks a whole user-data file: every section, plaintext or encrypted, and the rules across them. */
export async function validateUserData(
  parsed: ParsedUserData,
  options: ValidateOptions,
): Promise<ValidationReport> {
  const context = ruleContext(options);
  const list = context.list;
  const encrypted: string[] = [];
  for (const key of ['workload', 'env'] as const) {
    if (!parsed.sections.has(key)) {
      list.add(
        'error',
        parsed.source,
        parsed.keyPosition(key),
        [key],
        `missing: user data needs both workload and env`,
        'sections-required',
      );
    }
  }
  for (const [key, section] of parsed.sections) {
    if (!(KNOWN_KEYS.top as readonly string[]).includes(key)) {
      list.add(
        'warning',
        parsed.source,
        parsed.keyPosition(key),
        [key],
        `unknown top-level key; the runtime ignores it (known: ${KNOWN_KEYS.top.join(', ')})`,
      );
      continue;
    }
    if (section.form === 'token') {
      encrypted.push(key);
      checkEncryptedSection(section, list);
      continue;
    }
    if (key === 'workload' || key === 'env') {
      await checkSection(section, key, context);
    } else if (key === 'attestationPublicKey') {
      checkAttestationKey(section, context);
    }
  }
  checkSignature(parsed, context);
  const workload = parsed.sections.get('workload');
  const env = parsed.sections.get('env');
  const readable = (section: ContractSection | undefined): section is ContractSection =>
    section !== undefined && isPlaintextSection(section) && isMapping(section.data);
  if (readable(workload) && readable(env)) {
    checkVolumeNames(workload, env, context);
  } else {
    const plain = [workload, env].find(readable);
    const volumes = (plain?.data as { volumes?: unknown } | undefined)?.volumes;
    if (plain && volumes && typeof volumes === 'object' && Object.keys(volumes).length > 0) {
      list.add(
        'note',
        plain.source,
        plain.positionOf(['volumes']),
        [plain.key, 'volumes'],
        `not compared with the ${plain.key === 'env' ? 'workload' : 'env'} volumes, which are encrypted; the names must match`,
      );
    }
  }
  if (Buffer.byteLength(parsed.text) > USER_DATA_LIMIT) {
    list.add(
      'warning',
      parsed.source,
      { line: 1, col: 1 },
      [],
      `user data is ${Buffer.byteLength(parsed.text)} bytes, more than the 64 KiB IBM Cloud VPC accepts`,
    );
  }
  return report(list, encrypted, parsed.sections.values());
}

/** Checks one section on its own (a section file before it is encrypted). */
export async function validateSection(
  section: ContractSection,
  options: ValidateOptions,
): Promise<ValidationReport> {
  const context = ruleContext(options);
  const list = context.list;
  const kind = section.key as SectionKind;
  if (section.form === 'token') {
    checkEncryptedSection(section, list);
    return report(list, [section.key], [section]);
  }
  await checkSection(section, kind, context);
  return report(list, [], [section]);
}

function report(
  list: ProblemList,
  encrypted: string[],
  sections: Iterable<ContractSection>,
): ValidationReport {
  const problems = [...list.problems].sort(
    (a, b) => a.source.localeCompare(b.source) || a.line - b.line || a.col - b.col,
  );
  return {
    problems,
    valid: list.problems.every((problem) => problem.severity !== 'error'),
    encrypted,
    forms: Object.fromEntries([...sections].map((section) => [section.key, section.form])),
  };
}

async function checkSection(
  section: ContractSection,
  kind: SectionKind,
  context: RuleContext,
): Promise<void> {
  if (!isPlaintextSection(section)) {
    context.list.add(
      'error',
      section.source,
      section.positionOf([]),
      [kind],
      `must be the ${kind} section (type: ${kind}, ...) as a | block or a mapping, or an encrypted token`,
    );
    return;
  }
  if (!isMapping(section.data)) {
    context.list.add(
      'error',
      section.source,
      section.positionOf([]),
      [kind],
      `${section.form === 'string' ? 'the string must hold' : 'must be'} the ${kind} section as YAML keys (type: ${kind}, ...), found ${describeType(section.data)}`,
    );
    return;
  }
  const validate = (await validatorsOf(context.platform.schema.validators))[kind];
  if (!validate(section.data)) {
    for (const error of validate.errors ?? []) {
      reportSchemaError(error, section, [kind], context.list);
    }
  }
  checkYaml11Scalars(section, context.list);
  if (context.platform.schema.validators === 'coco') {
    checkConfidentialContainers(section, kind, context);
  }
  if (kind === 'workload') {
    checkWorkloadSection(section, context);
    await checkCompose(section, context);
  } else {
    checkEnvSection(section, context);
  }
}

function instancePath(pointer: string): YamlPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : step));
}

/** Names the type found, never the value: it may be a seed, a password or a key. */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'number'
    ? 'a number'
    : typeof value === 'boolean'
      ? 'a boolean'
      : 'a string';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

/**
 * Turns one Ajv error into a problem at its place in the YAML; `prefix` is the path the
 * section's value has in the document (`[kind]` for a contract section, `[]` for a whole file).
 */
export function reportSchemaError(
  error: ErrorObject,
  section: ContractSection,
  prefix: YamlPath,
  list: ProblemList,
): void {
  if (error.keyword === 'if' || error.keyword === 'propertyNames') return;
  const path = instancePath(error.instancePath);
  const schema = (error.parentSchema ?? {}) as {
    hpvsMessage?: string;
    hpvsRule?: string;
    properties?: object;
  };
  const custom = schema.hpvsMessage;
  const add = (at: YamlPath, message: string, position = section.positionOf(at)) =>
    list.add('error', section.source, position, [...prefix, ...at], message, schema.hpvsRule);
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    add(
      [...path, propertyName],
      `${JSON.stringify(propertyName)} ${custom ?? 'is not an allowed name'}`,
      section.keyPositionOf(path, propertyName),
    );
    return;
  }
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      add(path, `missing required key "${missing}"`);
      return;
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(schema.properties ?? {});
      add(
        [...path, extra],
        `unknown key${known.length ? ` (allowed: ${known.join(', ')})` : ''}`,
        section.keyPositionOf(path, extra),
      );
      return;
    }
    case 'type': {
      const expected = ([] as string[]).concat((error.params as { type: string | string[] }).type);
      add(
        path,
        custom ??
          `must be ${expected.map((name) => TYPE_NAMES[name] ?? name).join(' or ')}, found ${describeType(error.data)}`,
      );
      return;
    }
    case 'enum':
      add(
        path,
        `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String).join(', ')}, found ${describeType(error.data)}`,
      );
      return;
    case 'const':
      add(
        path,
        custom ??
          `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
      );
      return;
    default:
      add(path, custom ?? error.message ?? `fails ${error.keyword}`);
  }
}
