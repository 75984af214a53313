import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import { cocoEnvSchema, cocoWorkloadSchema } from './coco-schema.js';
import { envSchema, workloadSchema } from './contract-schema.js';
import { networkConfigSchema } from './network-config-schema.js';

/**
 * How the contract schema becomes validators. Only the build's generator
 * (scripts/generate-validators.mjs) and the tests load this module: the CLI imports the
 * precompiled code it produces, src/core/schema/generated/contract-validators.js, so no run
 * compiles the schema (that took about 0.3 s of every `validate`, `contract` and batch).
 */

export const AJV_OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  strict: true,
  allowUnionTypes: true,
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

/**
 * The standalone ES module source of the validators, exported as `workload`, `env`,
 * `network` (an on-prem network-config), and `cocoWorkload` / `cocoEnv` (ccco). Its
 * runtime helpers are `require()` calls (Ajv's and ajv-formats'), which the generator bundles.
 */
export function validatorModuleSource(): string {
  const ajv = contractAjv({ source: true, esm: true });
  ajv.addSchema(workloadSchema(), 'workload');
  ajv.addSchema(envSchema(), 'env');
  ajv.addSchema(networkConfigSchema(), 'network');
  ajv.addSchema(cocoWorkloadSchema(), 'cocoWorkload');
  ajv.addSchema(cocoEnvSchema(), 'cocoEnv');
  return standaloneCode.default(ajv, {
    workload: 'workload',
    env: 'env',
    network: 'network',
    cocoWorkload: 'cocoWorkload',
    cocoEnv: 'cocoEnv',
  });
}
