import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { HpvsError } from '../../../src/core/errors.js';
import { formatProblem } from '../../../src/core/schema/problems.js';
import { validateUserData } from '../../../src/core/schema/validate-contract.js';

// Values of every JSON type, so each known key meets types it does not expect.
const anyValue = fc.jsonValue({ maxDepth: 3 });
const section = (type: string, keys: string[]) =>
  fc.record(
    Object.fromEntries([
      ['type', fc.oneof(fc.constant(type), anyValue)],
      ...keys.map((key) => [key, anyValue]),
    ]),
    { requiredKeys: [] },
  );
const contract = fc.record(
  {
    workload: fc.oneof(
      section('workload', ['compose', 'play', 'volumes', 'env', 'auths', 'images']),
      anyValue,
    ),
    env: fc.oneof(section('env', ['logging', 'volumes', 'env', 'signingKey', 'cacerts']), anyValue),
    attestationPublicKey: anyValue,
    envWorkloadSignature: anyValue,
  },
  { requiredKeys: [] },
);

describe('validator robustness', () => {
  it('reports problems for any contract shape without crashing, each with a position in the file', async () => {
    await fc.assert(
      fc.asyncProperty(contract, async (value) => {
        const text = stringify(value);
        const lineCount = text.split('\n').length;
        let report;
        try {
          report = await validateUserData(parseUserData(text, 'fuzz.yaml'), { now: new Date() });
        } catch (error) {
          // only a document that is not a mapping may fail outright, with a clean error
          expect(error).toBeInstanceOf(HpvsError);
          return;
        }
        for (const problem of report.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(lineCount);
          expect(formatProblem(problem)).not.toContain('\n');
        }
      }),
      { numRuns: 200 },
    );
  });
});
