import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { VALIDATOR_MODULES, validatorModuleText } from '../../../scripts/generate-validators.mjs';
import { envSchema, workloadSchema } from '../../../src/core/schema/contract-schema.js';
import * as precompiled from '../../../src/core/schema/generated/contract-validators.js';
import type { ErrorObject } from 'ajv';
import { contractAjv, shareRepeatedSubschemas } from '../../../src/core/schema/validator-source.js';
import { buildCorpus, corpusMaterial, type CorpusCase } from './conformance-corpus.js';

/**
 * The CLI validates with Ajv code generated at build time (scripts/generate-validators.mjs).
 * It must be current and must answer exactly as the schema compiled at run time would: the
 * same verdict and the same error objects (paths, keywords, params, messages, schemas, data).
 */
describe('precompiled contract validators', () => {
  let corpus: CorpusCase[];
  let compiled: Record<'workload' | 'env', ValidateFunction>;
  /** The schema as written, without shared subschemas. */
  let written: Record<'workload' | 'env', ValidateFunction>;

  beforeAll(async () => {
    corpus = buildCorpus(await corpusMaterial());
    const ajv = contractAjv();
    compiled = {
      workload: ajv.compile(shareRepeatedSubschemas(workloadSchema())),
      env: ajv.compile(shareRepeatedSubschemas(envSchema())),
    };
    const plain = contractAjv();
    written = { workload: plain.compile(workloadSchema()), env: plain.compile(envSchema()) };
  });

  function testValues(): Array<[kind: 'workload' | 'env', value: unknown]> {
    const values: Array<[kind: 'workload' | 'env', value: unknown]> = [];
    for (const entry of corpus) {
      for (const kind of ['workload', 'env'] as const) values.push([kind, entry.contract[kind]]);
    }
    // wrong types at the top, too
    for (const odd of [null, 'text', 7, [], {}, { type: 'env' }, { type: 'workload' }]) {
      values.push(['workload', odd], ['env', odd]);
    }
    // errors deep in the Kubernetes resources, whose schemas are the shared ones
    const badPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 7 },
      spec: {
        containers: [{ name: 1, image: [], ports: [{ containerPort: 'x' }], env: [{}] }],
        initContainers: [{ image: 'a', livenessProbe: { httpGet: {}, periodSeconds: 'x' } }],
        volumes: [{ name: 'v', hostPath: 3 }],
      },
    };
    for (const key of ['resources', 'templates']) {
      values.push(['workload', { type: 'workload', play: { [key]: [badPod, { kind: 'Pod' }] } }]);
    }
    return values;
  }

  it('are generated from the schema as it is now', async () => {
    expect(VALIDATOR_MODULES.flatMap((module) => module.names).sort()).toEqual(
      ['cocoEnv', 'cocoWorkload', 'env', 'network', 'workload'].sort(),
    );
    for (const module of VALIDATOR_MODULES) {
      expect(readFileSync(module.path, 'utf8'), module.path).toBe(
        await validatorModuleText(module),
      );
    }
  });

  it('give the same verdicts and errors as the schema compiled at run time', () => {
    const values = testValues();
    let failures = 0;
    for (const [kind, value] of values) {
      const expected = compiled[kind](value);
      const actual = precompiled[kind](value);
      expect(actual).toBe(expected);
      expect(precompiled[kind].errors ?? null).toEqual(compiled[kind].errors ?? null);
      if (!expected) failures++;
    }
    expect(values.length).toBeGreaterThan(200);
    expect(failures).toBeGreaterThan(20);
  });

  it('with shared subschemas, report what the schema as written reports', () => {
    // what reportSchemaError reads of an error; schemaPath now names a $defs entry
    const seen = (error: ErrorObject) => {
      const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
      return {
        instancePath: error.instancePath,
        keyword: error.keyword,
        params: error.params,
        message: error.message,
        data: error.data,
        propertyName: (error as { propertyName?: string }).propertyName,
        hpvsMessage: schema.hpvsMessage,
        hpvsRule: schema.hpvsRule,
        properties: Object.keys((schema.properties as object | undefined) ?? {}),
      };
    };
    let failures = 0;
    for (const [kind, value] of testValues()) {
      const expected = written[kind](value);
      expect(precompiled[kind](value)).toBe(expected);
      expect((precompiled[kind].errors ?? []).map(seen)).toEqual(
        (written[kind].errors ?? []).map(seen),
      );
      if (!expected) failures++;
    }
    expect(failures).toBeGreaterThan(20);
  });
});
