import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { looksLikeSectionToken } from '../../../src/core/crypto/section-token.js';
import { DELIBERATE_RULES } from '../../../src/core/schema/deliberate-rules.js';
import { formatProblem, type ContractProblem } from '../../../src/core/schema/problems.js';
import { validateUserData } from '../../../src/core/schema/validate-contract.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { buildCorpus, corpusMaterial, type CorpusCase } from './conformance-corpus.js';

/**
 * The conformance corpus written the way IBM's docs and contract-cli write contracts: every
 * workload and env a `|` block string holding the section's YAML (SPEC-IBM A2.1), next to the
 * same contract in mapping form. The published schema judges the block form the way
 * contract-go's validate-contract does (A2.2): each string section is parsed as YAML first.
 * Unlike contract-go, attestationPublicKey stays in the validated object, so both forms are
 * judged on the same content. hpvs-ctl must agree, except for the documented deliberate rules,
 * and must report the same problems in both forms, at the lines the user edits.
 */

function officialValidator(file: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(referencePath('schema', file), 'utf8')));
}

/** A2.2: the string sections are YAML texts, parsed before the schema sees them. */
function officialInput(text: string): unknown {
  const document = parse(text) as Record<string, unknown>;
  for (const key of ['workload', 'env']) {
    const value = document[key];
    if (typeof value === 'string' && !looksLikeSectionToken(value)) document[key] = parse(value);
  }
  return document;
}

/** The contract with workload and env as `|` blocks (literal, two-space indented). */
function blockStringForm(contract: Record<string, unknown>): string | undefined {
  const copy: Record<string, unknown> = { ...contract };
  let changed = false;
  for (const key of ['workload', 'env']) {
    const section = copy[key];
    if (typeof section !== 'object' || section === null || Array.isArray(section)) continue;
    copy[key] = stringify(section, { lineWidth: 0 });
    changed = true;
  }
  if (!changed) return undefined;
  return stringify(copy, { lineWidth: 0, blockQuote: 'literal' });
}

// Handwritten contracts in the shapes of IBM's documentation (VPC "about-contract": the
// simple contract, the signature example, a contract with a syslog target and volumes),
// using the header variants users write: |, |- and |+, comments inside, blank lines.
function documentedShapes(composeArchive: string, publicKeyPem: string): CorpusCase[] {
  const pem = publicKeyPem.replace(/^(?=.)/gm, '  ');
  const env = `  type: env
  logging:
    logRouter:
      hostname: 5c2d6b69-c7f0-41bd-b69b-240695369d6e.ingress.us-south.logs.cloud.ibm.com
      iamApiKey: ab00e3c09p1d4ff7fff9f04c12183413
`;
  const workload = `  type: workload
  compose:
    archive: ${composeArchive}
`;
  const text = (value: string) => ({ __text: value });
  return [
    {
      name: 'docs: the simple contract',
      contract: text(`env: |\n${env}workload: |\n${workload}`),
      expect: 'valid',
    },
    {
      name: 'docs: |- and |+ headers, comments and blank lines inside',
      contract: text(
        `workload: |-\n  # the provider's part\n${workload}\n\nenv: |+\n${env.replace('  logging:', '\n  # where logs go\n  logging:')}\n`,
      ),
      expect: 'valid',
    },
    {
      name: 'docs: with attestationPublicKey as a | block',
      contract: text(`workload: |\n${workload}env: |\n${env}attestationPublicKey: |\n${pem}`),
      expect: 'valid',
    },
    {
      name: 'docs: env without logging',
      contract: text(`workload: |\n${workload}env: |\n  type: env\n`),
      expect: 'invalid',
      errorPath: 'env',
    },
    {
      name: 'docs: workload with compose and play',
      contract: text(
        `workload: |\n${workload}  play:\n    archive: ${composeArchive}\nenv: |\n${env}`,
      ),
      expect: 'invalid',
      errorPath: 'workload.play',
    },
    {
      name: 'docs: volumes with a short seed',
      contract: text(
        `workload: |\n${workload}  volumes:\n    data:\n      seed: short\n      mount: /mnt/data\n      filesystem: ext4\nenv: |\n${env}  volumes:\n    data:\n      seed: env-seed-0123456789\n`,
      ),
      expect: 'invalid',
      errorPath: 'workload.volumes.data.seed',
    },
  ] as unknown as CorpusCase[];
}

function textOf(entry: CorpusCase): string | undefined {
  const handwritten = (entry.contract as { __text?: string }).__text;
  return handwritten ?? blockStringForm(entry.contract);
}

const shown = (problems: ContractProblem[]) => problems.map(formatProblem).join(' | ');
const withoutPosition = (problems: ContractProblem[]) =>
  problems
    .map(
      (problem) => `${problem.severity} ${problem.path} ${problem.message} ${problem.rule ?? ''}`,
    )
    .sort();

describe.skipIf(!HAS_REFERENCE)(
  `block-string contracts against the published schema (${HAS_REFERENCE ? '1.0.116' : REFERENCE_SKIP_REASON})`,
  () => {
    let corpus: CorpusCase[];
    const official = {} as Record<'hpvs' | 'ccrv', ValidateFunction>;

    beforeAll(async () => {
      const material = await corpusMaterial();
      corpus = [
        ...buildCorpus(material),
        ...documentedShapes(material.composeArchive, material.publicKeyPem),
      ].filter((entry) => textOf(entry) !== undefined);
      official.hpvs = officialValidator('hpse-contract-schema-1.0.116.json');
      official.ccrv = officialValidator('hpse-contract-schema-1.0.116-rhel.json');
    });

    it('has at least 40 block-string contracts, valid and invalid', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(40);
      expect(corpus.filter((entry) => entry.expect === 'valid').length).toBeGreaterThan(15);
      expect(corpus.filter((entry) => entry.expect === 'invalid').length).toBeGreaterThan(15);
      for (const entry of corpus) {
        const parsed = parseUserData(textOf(entry)!, 'case.yaml');
        for (const key of ['workload', 'env']) {
          const section = parsed.sections.get(key);
          const original = (entry.contract as Record<string, unknown>)[key];
          const written =
            original === undefined ||
            (typeof original === 'object' && original !== null && !Array.isArray(original));
          if (section === undefined || !written) continue;
          expect(section.form, `${entry.name}: ${key}`).toBe('string');
          expect(section.positions, `${entry.name}: ${key}`).toBe('exact');
        }
      }
    });

    it('agrees with the published schema on every block-string contract, deliberate rules aside, and with the mapping form', async () => {
      const disagreements: string[] = [];
      for (const entry of corpus) {
        const profile = entry.profile ?? 'hpvs';
        const text = textOf(entry)!;
        const officialValid = official[profile](officialInput(text)) as boolean;
        const report = await validateUserData(parseUserData(text, 'case.yaml'), {
          now: new Date(),
          platform: profile,
        });
        const fail = (why: string) =>
          disagreements.push(`${entry.name} [${profile}]: ${why} -- ${shown(report.problems)}`);
        const errors = report.problems.filter((problem) => problem.severity === 'error');
        if ((entry.expect === 'valid') !== report.valid)
          fail(`hpvs-ctl says ${report.valid ? 'valid' : 'invalid'}`);
        if (entry.errorPath && !errors.some((problem) => problem.path === entry.errorPath))
          fail(`no error at ${entry.errorPath}`);
        if (entry.rule === undefined) {
          if (officialValid !== report.valid)
            fail(`published schema says ${officialValid ? 'valid' : 'invalid'}`);
        } else if (DELIBERATE_RULES[entry.rule].kind === 'stricter') {
          if (!officialValid) fail('published schema rejects it too');
          if (errors.some((problem) => problem.rule !== entry.rule))
            fail(`expected only errors of rule ${entry.rule}`);
        } else if (officialValid) {
          fail('published schema accepts it, so no deliberate rule is needed');
        }
        // the same contract as mappings: the same problems, only the positions differ
        if ((entry.contract as { __text?: string }).__text === undefined) {
          const mapping = stringify(entry.contract, { lineWidth: 0 });
          const other = await validateUserData(parseUserData(mapping, 'case.yaml'), {
            now: new Date(),
            platform: profile,
          });
          if (
            JSON.stringify(withoutPosition(other.problems)) !==
            JSON.stringify(withoutPosition(report.problems))
          ) {
            fail(`the mapping form reports otherwise: ${shown(other.problems)}`);
          }
        } else if (officialValid !== (official[profile](officialInput(text)) as boolean)) {
          fail('unstable');
        }
      }
      expect(disagreements).toEqual([]);
    });
  },
);
