import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { VALIDATORS_PATH, validatorModuleText } from '../../../scripts/generate-validators.mjs';
import { envSchema, workloadSchema } from '../../../src/core/schema/contract-schema.js';
import * as precompiled from '../../../src/core/schema/generated/contract-validators.js';
import { contractAjv } from '../../../src/core/schema/validator-source.js';
import { buildCorpus, corpusMaterial, type CorpusCase } from './conformance-corpus.js';

/**
 * The CLI validates with Ajv code generated at build time (scripts/generate-validators.mjs).
 * It must be current and must answer exactly as the schema compiled at run time would: the
 * same verdict and the same error objects (paths, keywords, params, messages, schemas, data).
 */
describe('precompiled contract validators', () => {
  let corpus: CorpusCase[];
  let compiled: Record<'workload' | 'env', ValidateFunction>;

  beforeAll(async () => {
    corpus = buildCorpus(await corpusMaterial());
    const ajv = contractAjv();
    compiled = { workload: ajv.compile(workloadSchema()), env: ajv.compile(envSchema()) };
  });

  it('are generated from the schema as it is now', async () => {
    expect(readFileSync(VALIDATORS_PATH, 'utf8')).toBe(await validatorModuleText());
  });

  it('give the same verdicts and errors as the schema compiled at run time', () => {
    const values: Array<[kind: 'workload' | 'env', value: unknown]> = [];
    for (const entry of corpus) {
      for (const kind of ['workload', 'env'] as const) values.push([kind, entry.contract[kind]]);
    }
    // wrong types at the top, too
    for (const odd of [null, 'text', 7, [], {}, { type: 'env' }, { type: 'workload' }]) {
      values.push(['workload', odd], ['env', odd]);
    }
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
});
