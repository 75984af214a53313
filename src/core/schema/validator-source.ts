import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import { cocoEnvSchema, cocoWorkloadSchema } from './coco-schema.js';
import { envSchema, workloadSchema } from './contract-schema.js';
import { networkConfigSchema } from './network-config-schema.js';

/**
 * How the contract schema becomes validators. Only the build's generator
 * (scripts/generate-validators.mjs) and the tests load this module: the CLI imports the
 * precompiled code it produces, src/core/schema/generated/contract-validators.js and
 * coco-validators.js, so no run compiles the schema (that took about 0.3 s of every `validate`, `contract` and batch).
 */

export const AJV_OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  strict: true,
  allowUnionTypes: true,
  // each $defs entry (see shareRepeatedSubschemas) stays one function of its own
  inlineRefs: false,
};

export const FORMATS = ['hostname', 'uri', 'byte', 'int32', 'int64', 'ipv4'] as const;

/** An Ajv instance set up as the validators need (`code` adds options, e.g. for standalone). */
export function contractAjv(code: Options['code'] = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code });
  addFormats.default(ajv, [...FORMATS]);
  ajv.addKeyword({ keyword: 'hpvsMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'hpvsRule', schemaType: 'string' });
  return ajv;
}

/** The validators the generator writes, by the name each module exports. */
export type ValidatorName = 'workload' | 'env' | 'network' | 'cocoWorkload' | 'cocoEnv';

/**
 * The standalone ES module source of the `names` validators: `workload`, `env`, `network` (an
 * on-prem network-config), and `cocoWorkload` / `cocoEnv` (ccco). Its runtime helpers are
 * `require()` calls (Ajv's and ajv-formats'), which the generator bundles.
 */
export function validatorModuleSource(names: readonly ValidatorName[]): string {
  const ajv = contractAjv({ source: true, esm: true });
  ajv.addSchema(shareRepeatedSubschemas(workloadSchema()), 'workload');
  ajv.addSchema(shareRepeatedSubschemas(envSchema()), 'env');
  ajv.addSchema(shareRepeatedSubschemas(networkConfigSchema()), 'network');
  ajv.addSchema(shareRepeatedSubschemas(cocoWorkloadSchema()), 'cocoWorkload');
  ajv.addSchema(shareRepeatedSubschemas(cocoEnvSchema()), 'cocoEnv');
  return standaloneCode.default(ajv, Object.fromEntries(names.map((name) => [name, name])));
}

/**
 * Ajv writes a subschema's code out at every place that uses it: the Kubernetes container
 * schema, used by `containers` and `initContainers` of both `play.resources` and
 * `play.templates`, was four copies of the same code in a workload validator of about 850 kB,
 * parsed by every run that validates and compiled whole at its first call. Each subschema
 * object used more than once becomes one `$defs` entry instead (one function in the generated
 * code, compiled only when a contract has what it checks). What a schema accepts and the
 * errors it reports are the same, but for `schemaPath`, which hpvs-ctl does not read.
 */
export function shareRepeatedSubschemas<T extends object>(schema: T): T {
  const uses = new Map<object, number>();
  const count = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const seen = uses.get(value) ?? 0;
    uses.set(value, seen + 1);
    if (seen === 0) for (const child of Object.values(value)) count(child);
  };
  count(schema);
  const names = new Map<object, string>();
  for (const [value, times] of uses) {
    if (times > 1 && !Array.isArray(value) && JSON.stringify(value).length > 1000) {
      names.set(value, `shared${names.size}`);
    }
  }
  const defs: Record<string, unknown> = {};
  const copy = (value: unknown, top = false): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const name = top ? undefined : names.get(value);
    if (name !== undefined) {
      if (!(name in defs)) {
        defs[name] = {};
        defs[name] = copy(value, true);
      }
      return { $ref: `#/$defs/${name}` };
    }
    if (Array.isArray(value)) return value.map((item) => copy(item));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]));
  };
  const copied = copy(schema, true) as T;
  return names.size === 0 ? copied : { ...copied, $defs: defs };
}
