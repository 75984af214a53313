import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { DELIBERATE_RULES } from '../../../src/core/schema/deliberate-rules.js';
import { formatProblem, type ValidationReport } from '../../../src/core/schema/problems.js';
import { validateUserData } from '../../../src/core/schema/validate-contract.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { buildCorpus, corpusMaterial, type CorpusCase } from './conformance-corpus.js';

function officialValidator(file: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(referencePath('schema', file), 'utf8')));
}

describe.skipIf(!HAS_REFERENCE)(
  `conformance with the published contract schema (${HAS_REFERENCE ? '1.0.116' : REFERENCE_SKIP_REASON})`,
  () => {
    let corpus: CorpusCase[];
    const official = {} as Record<'hpvs' | 'ccrv', ValidateFunction>;

    beforeAll(async () => {
      corpus = buildCorpus(await corpusMaterial());
      official.hpvs = officialValidator('hpse-contract-schema-1.0.116.json');
      official.ccrv = officialValidator('hpse-contract-schema-1.0.116-rhel.json');
    });

    it('has at least 60 cases, valid and invalid, and uses every deliberate rule', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(60);
      expect(corpus.filter((entry) => entry.expect === 'valid').length).toBeGreaterThan(20);
      expect(corpus.filter((entry) => entry.expect === 'invalid').length).toBeGreaterThan(20);
      expect(new Set(corpus.map((entry) => entry.rule).filter(Boolean))).toEqual(
        new Set(Object.keys(DELIBERATE_RULES)),
      );
      expect(new Set(corpus.map((entry) => entry.name)).size).toBe(corpus.length);
    });

    it('agrees with the published schema on every case except the documented deliberate rules', async () => {
      const disagreements: string[] = [];
      for (const entry of corpus) {
        const profile = entry.profile ?? 'hpvs';
        const text = stringify(entry.contract, { lineWidth: 0 });
        const officialValid = official[profile](parse(text)) as boolean;
        const report: ValidationReport = await validateUserData(parseUserData(text, 'case.yaml'), {
          now: new Date(),
          platform: profile,
        });
        const shown = report.problems.map(formatProblem).join(' | ');
        const fail = (why: string) =>
          disagreements.push(`${entry.name} [${profile}]: ${why} -- ${shown}`);
        const errors = report.problems.filter((problem) => problem.severity === 'error');
        if ((entry.expect === 'valid') !== report.valid)
          fail(`hpvs-ctl says ${report.valid ? 'valid' : 'invalid'}`);
        if (entry.errorPath && !errors.some((problem) => problem.path === entry.errorPath)) {
          fail(`no error at ${entry.errorPath}`);
        }
        if (
          entry.warningPath &&
          !report.problems.some(
            (problem) => problem.severity === 'warning' && problem.path === entry.warningPath,
          )
        ) {
          fail(`no warning at ${entry.warningPath}`);
        }
        if (entry.rule === undefined) {
          if (officialValid !== report.valid)
            fail(`published schema says ${officialValid ? 'valid' : 'invalid'}`);
          continue;
        }
        const rule = DELIBERATE_RULES[entry.rule];
        if (rule.kind === 'stricter') {
          if (!officialValid)
            fail('published schema rejects it too, so no deliberate rule is needed');
          // every error must come from the declared rule, or the difference is not the documented one
          if (errors.length === 0 || errors.some((problem) => problem.rule !== entry.rule)) {
            fail(`expected only errors of rule ${entry.rule}`);
          }
        } else {
          if (officialValid) fail('published schema accepts it, so no deliberate rule is needed');
          if (
            !report.problems.some(
              (problem) => problem.severity === 'warning' && problem.rule === entry.rule,
            )
          ) {
            fail(`expected a warning of rule ${entry.rule}`);
          }
        }
      }
      expect(disagreements).toEqual([]);
    });
  },
);
