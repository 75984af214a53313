import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { COCO_DELIBERATE_RULES } from '../../../src/core/schema/confidential-containers-rules.js';
import { formatProblem, type ValidationReport } from '../../../src/core/schema/problems.js';
import { validateUserData } from '../../../src/core/schema/validate-contract.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PUBLIC = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const RSA_PRIVATE = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const EC_PUBLIC = ec.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const POLICY = Buffer.from(
  'package agent_policy\n\ndefault CreateContainerRequest := false\n',
).toString('base64');

async function check(
  contract: unknown,
  platform: 'ccco' | 'hpvs' = 'ccco',
): Promise<ValidationReport> {
  return validateUserData(parseUserData(stringify(contract, { lineWidth: 0 }), 'c.yaml'), {
    now: new Date(),
    platform,
  });
}

const shown = (report: ValidationReport): string => report.problems.map(formatProblem).join('\n');
const errors = (report: ValidationReport) => report.problems.filter((p) => p.severity === 'error');

function workload(cc: Record<string, unknown>): Record<string, unknown> {
  return {
    workload: { type: 'workload', 'confidential-containers': cc },
    env: { type: 'env' },
  };
}

const GOOD_CC = {
  config: {
    cosign: { 'quay.io/example/app:1.0': { publicKey: EC_PUBLIC }, app: { publicKey: EC_PUBLIC } },
  },
  allowedContainers: { app: { allowedImages: { imageNames: ['quay.io/example/app:1.0'] } } },
  regoValidator: { policy: POLICY },
  secret: { verificationKey: RSA_PUBLIC, decryptionKey: RSA_PRIVATE },
};

const KEY_CRN = 'crn:v1:bluemix:public:hs-crypto:us-south:a/0123:4567:key:89ab';

/** A ccco contract whose workload has a volume "data" and whose env has these keys. */
function envWith(env: Record<string, unknown>): Record<string, unknown> {
  return {
    workload: {
      type: 'workload',
      'confidential-containers': GOOD_CC,
      volumes: { data: { seed: 'ThisIsAValidWorkload123' } },
    },
    env: { type: 'env', ...env },
  };
}

describe.skipIf(!HAS_REFERENCE)(`IBM's ccco samples (A7.2) (${REFERENCE_SKIP_REASON})`, () => {
  let official: ValidateFunction;
  const sample = (name: string): string =>
    readFileSync(referencePath('fixtures', 'ccco', name), 'utf8');
  const asJson = (text: string): unknown => {
    const outer = parse(text) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(outer).map(([key, value]) => [
        key,
        typeof value === 'string' ? parse(value) : value,
      ]),
    );
  };

  beforeAll(() => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    official = ajv.compile(
      JSON.parse(
        readFileSync(referencePath('schema', 'hpse-contract-schema-coco-1.0.93-rhel.json'), 'utf8'),
      ),
    );
  });

  it('complete section: valid for the published schema; hpvs-ctl differs only by its documented rules', async () => {
    const text = sample('plain-contract-complete-confidential-container-section.yaml');
    expect(official(asJson(text))).toBe(true);
    const report = await validateUserData(parseUserData(text, 'sample.yaml'), {
      now: new Date(),
      platform: 'ccco',
    });
    const found = errors(report);
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) expect(Object.keys(COCO_DELIBERATE_RULES)).toContain(problem.rule);
    expect(new Set(found.map((problem) => problem.rule))).toEqual(
      new Set(['cosign-key-usable', 'rego-policy-usable', 'secret-keys-usable']),
    );
    // the same sample with usable values is valid, env without logging included
    const fixed = asJson(text) as {
      workload: { 'confidential-containers': Record<string, unknown> };
      env: unknown;
    };
    const cc = fixed.workload['confidential-containers'];
    cc.config = { cosign: { 'test-image': { publicKey: EC_PUBLIC } } };
    cc.regoValidator = { policy: POLICY };
    cc.secret = { verificationKey: RSA_PUBLIC, decryptionKey: RSA_PRIVATE };
    expect(official(fixed)).toBe(true);
    const again = await check(fixed);
    expect(again.valid, shown(again)).toBe(true);
  });

  it.each([
    ['plain-contract-missing-regovalidator-section.yaml', 'regoValidator'],
    ['plain-contract-missing-policy.yaml', 'policy'],
  ])('%s: invalid for both, the error names %s', async (name, key) => {
    const text = sample(name);
    expect(official(asJson(text))).toBe(false);
    const report = await validateUserData(parseUserData(text, 'sample.yaml'), {
      now: new Date(),
      platform: 'ccco',
    });
    expect(report.valid).toBe(false);
    const schemaErrors = errors(report).filter((problem) => problem.rule === undefined);
    expect(schemaErrors.map(formatProblem).join('\n')).toMatch(
      new RegExp(`missing required key "${key}"`),
    );
  });

  it('agrees with the published schema on cases without the documented rules', async () => {
    const cases: [string, unknown][] = [
      ['complete', workload(GOOD_CC)],
      [
        'env with logging',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'k' } },
          },
        },
      ],
      [
        'host-attestation',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            'host-attestation': { hkd1: { description: 'd', 'host-key-doc': 'QUJD' } },
          },
        },
      ],
      [
        'host-attestation missing host-key-doc',
        {
          ...workload(GOOD_CC),
          env: { type: 'env', 'host-attestation': { hkd1: { description: 'd' } } },
        },
      ],
      [
        'host-attestation bad name',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            'host-attestation': { 'a b': { description: 'd', 'host-key-doc': 'x' } },
          },
        },
      ],
      ['no regoValidator', workload({ ...GOOD_CC, regoValidator: undefined })],
      ['policy not a string', workload({ ...GOOD_CC, regoValidator: { policy: 3 } })],
      [
        'allowedContainers bad name',
        workload({
          ...GOOD_CC,
          allowedContainers: { 'my app': { allowedImages: { imageNames: [] } } },
        }),
      ],
      [
        'allowedImages empty',
        workload({ ...GOOD_CC, allowedContainers: { app: { allowedImages: {} } } }),
      ],
      [
        'allowedImages patterns only',
        workload({
          ...GOOD_CC,
          allowedContainers: { app: { allowedImages: { imagePatterns: ['quay.io/.*'] } } },
        }),
      ],
      [
        'secret without decryptionKey',
        workload({ ...GOOD_CC, secret: { verificationKey: RSA_PUBLIC } }),
      ],
      [
        'env secret',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            'confidential-containers': {
              secret: { verificationKey: RSA_PUBLIC, decryptionKey: RSA_PRIVATE },
            },
          },
        },
      ],
      [
        'env volume with seed and kms',
        envWith({
          volumes: {
            data: {
              seed: 'ThisIsAValidEnv123',
              kms: [{ apiKey: 'key-0123456789', crn: KEY_CRN, type: 'private' }],
              kmsTimeout: 10,
              volumeID: 'vol-123',
            },
          },
        }),
      ],
      ['env volume with seed only', envWith({ volumes: { data: { seed: 'ThisIsAValidEnv123' } } })],
      ['env volume without seed', envWith({ volumes: { data: { volumeName: 'data' } } })],
      [
        'env volume with uv-secret-id',
        envWith({ volumes: { data: { 'uv-secret-id': 'index-1' } } }),
      ],
      [
        'env volume with seed and uv-previous-secret-id',
        envWith({
          volumes: { data: { seed: 'ThisIsAValidEnv123', 'uv-previous-secret-id': 'index-1' } },
        }),
      ],
      [
        'env volume with grep11',
        envWith({
          volumes: {
            data: {
              seed: 'ThisIsAValidEnv123',
              grep11: {
                address: 'hsm.example.com:9876',
                clientCert: 'Q0VSVA==',
                clientKey: 'S0VZ',
                caCert: 'Q0E=',
                metadata: { aesKeyBlob: 'Qk9MQg==' },
              },
            },
          },
        }),
      ],
      [
        'logRouter with tags',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'k', tags: ['a'] } },
          },
        },
      ],
      [
        'named cosign entry without publicKey',
        workload({ ...GOOD_CC, config: { cosign: { app: {} } } }),
      ],
    ];
    const disagreements: string[] = [];
    for (const [name, contract] of cases) {
      const plain = JSON.parse(JSON.stringify(contract)) as unknown;
      const report = await check(plain);
      if ((official(plain) as boolean) !== report.valid) {
        disagreements.push(
          `${name}: published ${String(official(plain))}, hpvs-ctl ${report.valid} -- ${shown(report)}`,
        );
      }
      expect(
        errors(report).every((problem) => problem.rule === undefined),
        name,
      ).toBe(true);
    }
    expect(disagreements).toEqual([]);
  });

  it('is stricter exactly where documented', async () => {
    const cases: [string, unknown, string, string][] = [
      [
        'cosign keyed by an image reference without publicKey',
        workload({ ...GOOD_CC, config: { cosign: { 'quay.io/x/y:1': { key: 'x' } } } }),
        'cosign-entries-checked',
        'workload.confidential-containers.config.cosign["quay.io/x/y:1"]',
      ],
      [
        'cosign key not a key',
        workload({ ...GOOD_CC, config: { cosign: { 'quay.io/x/y:1': { publicKey: 'abc' } } } }),
        'cosign-key-usable',
        'workload.confidential-containers.config.cosign["quay.io/x/y:1"].publicKey',
      ],
      [
        'policy plain Rego',
        workload({ ...GOOD_CC, regoValidator: { policy: 'package x\ndefault allow = true' } }),
        'rego-policy-usable',
        'workload.confidential-containers.regoValidator.policy',
      ],
      [
        'policy base64 of broken Rego',
        workload({
          ...GOOD_CC,
          regoValidator: { policy: Buffer.from('package x\nallow if {').toString('base64') },
        }),
        'rego-policy-usable',
        'workload.confidential-containers.regoValidator.policy',
      ],
      [
        'verificationKey is private',
        workload({
          ...GOOD_CC,
          secret: { verificationKey: RSA_PRIVATE, decryptionKey: RSA_PRIVATE },
        }),
        'secret-keys-usable',
        'workload.confidential-containers.secret.verificationKey',
      ],
      [
        'decryptionKey is EC',
        workload({
          ...GOOD_CC,
          secret: {
            verificationKey: RSA_PUBLIC,
            decryptionKey: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }),
          },
        }),
        'secret-keys-usable',
        'workload.confidential-containers.secret.decryptionKey',
      ],
      [
        'env secret keys swapped',
        {
          ...workload(GOOD_CC),
          env: {
            type: 'env',
            'confidential-containers': {
              secret: { verificationKey: RSA_PRIVATE, decryptionKey: RSA_PUBLIC },
            },
          },
        },
        'secret-keys-usable',
        'env.confidential-containers.secret.verificationKey',
      ],
    ];
    for (const [name, contract, rule, path] of cases) {
      const plain = JSON.parse(JSON.stringify(contract)) as unknown;
      expect(official(plain), name).toBe(true);
      const report = await check(plain);
      const found = errors(report);
      expect(found.length, name).toBeGreaterThan(0);
      expect(
        found.every((problem) => problem.rule === rule),
        `${name}: ${shown(report)}`,
      ).toBe(true);
      expect(
        found.map((problem) => problem.path),
        name,
      ).toContain(path);
      expect(shown(report)).not.toContain('PRIVATE KEY-----');
    }
  });
});

describe('ccco validation without reference data', () => {
  it('accepts env without logging on ccco and rejects it on hpvs', async () => {
    const contract = workload(GOOD_CC);
    expect((await check(contract)).valid).toBe(true);
    const hpvs = await check(contract, 'hpvs');
    expect(hpvs.valid).toBe(false);
    expect(shown(hpvs)).toMatch(/env: missing required key "logging"/);
  });
});
