import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_POLICY_TEMPLATE } from '../../src/core/ccco/agent-policy-template.js';
import { planContainers } from '../../src/core/ccco/pod-plan.js';
import { generatePolicy } from '../../src/core/ccco/rego-policy.js';
import { blockStringEntry } from '../../src/core/contract/assemble-contract.js';
import { parseSectionText, parseUserData } from '../../src/core/contract/user-data.js';
import {
  findPlatform,
  PLATFORM_NAMES,
  PLATFORMS,
  templatesFor,
  type PlatformName,
  type TemplateSet,
} from '../../src/core/platforms/platforms.js';
import { createSyslogCertificates } from '../../src/core/pki/syslog-certificates.js';
import { formatProblem, type ContractProblem } from '../../src/core/schema/problems.js';
import { validateSection, validateUserData } from '../../src/core/schema/validate-contract.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../helpers/reference.js';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

const TEMPLATES = join(PROJECT_ROOT, 'templates');
const read = (name: string) => readFileSync(join(TEMPLATES, name), 'utf8');
const supported = PLATFORM_NAMES.filter((name) => PLATFORMS[name].templates.workload.length > 0);
/** The sets of templates that go together: one per variant, else the platform's whole list. */
const sets = (platform: PlatformName): [string, TemplateSet][] => {
  const { variants, workload, env } = PLATFORMS[platform].templates;
  return variants ? Object.entries(variants) : [['all', { workload, env }]];
};
const KINDS = ['compose', 'play', 'confidential-containers'] as const;
const kindOf = (name: string) => KINDS.filter((kind) => kind in (parse(read(name)) as object));
const blocking = (problems: readonly ContractProblem[]) =>
  problems.filter((problem) => problem.severity !== 'note').map(formatProblem);

let pems: Record<string, string>;
let policy: string;

/** A template with every REPLACE placeholder filled the way its comments ask. */
function filled(name: string): string {
  let text = read(name)
    .replace(/REPLACE-with-a-random-(workload|env)-seed/g, (_, who) => `${who}-seed-8f3a1c9e2b7d4f60`)
    .replace('REPLACE.ingress', 'a1b2c3.ingress')
    .replace('REPLACE-with-your-IAM-API-key', 'k'.repeat(44))
    .replace('REPLACE.registry.example.com/team/app', 'icr.io/team/app')
    .replace('REPLACE-with-the-output-of-hpvs-ctl-policy-generate-base64', policy)
    .replace('REPLACE-with-the-base64-of-the-host-key-document', Buffer.from(pems['tls/ca.crt']!).toString('base64'));
  for (const [file, pem] of Object.entries(pems)) {
    const placeholder = new RegExp(
      `( *)-----BEGIN [A-Z ]+-----\\n *REPLACE with the contents of ${file}\\n *-----END [A-Z ]+-----\\n`,
    );
    // the block scalar keeps the placeholder's indentation
    text = text.replace(placeholder, (_, indent: string) =>
      pem.trimEnd().split('\n').map((line) => `${indent}${line}\n`).join(''),
    );
  }
  // comments may still say REPLACE; values may not
  expect(text, name).not.toMatch(/^[^#\n]*REPLACE/m);
  return text;
}

beforeAll(async () => {
  const seal = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tls = await createSyslogCertificates({ hostname: 'logs.example.com', now: new Date(), bits: 2048 });
  pems = {
    'tls/ca.crt': tls.caCertificatePem,
    'tls/client.crt': tls.clientCertificatePem,
    'tls/client-key.pem': tls.clientPrivateKeyPem,
    // cosign generate-key-pair makes ECDSA P-256 keys; the sealed-secret pairs are RSA
    'cosign.pub': generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string,
    'seal-keys/seal-verification-public.pem': seal.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    'seal-keys/seal-decryption-private.pem': seal.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
  // the policy hpvs-ctl policy generate --base64 writes for the play template's pod
  const pod = read('play/pod.yaml');
  policy = Buffer.from(generatePolicy(planContainers(pod, 'pod.yaml'), DEFAULT_AGENT_POLICY_TEMPLATE).policy).toString('base64');
});

describe('templates per platform', () => {
  it.each(supported)("%s: each template passes the platform's schema once filled", async (platform) => {
    const { workload, env } = PLATFORMS[platform].templates;
    expect(workload.length).toBeGreaterThan(0);
    expect(env.length).toBeGreaterThan(0);
    for (const [key, names] of [['workload', workload], ['env', env]] as const) {
      for (const name of names) {
        const report = await validateSection(parseSectionText(key, filled(name), name), { now: new Date(), platform });
        expect(blocking(report.problems), `${platform} ${name}`).toEqual([]);
      }
    }
    // and every pairing within a variant as a whole contract, with the rules across sections
    for (const [, set] of sets(platform)) {
      for (const w of set.workload) {
        for (const e of set.env) {
          const text = blockStringEntry('workload', filled(w)) + blockStringEntry('env', filled(e));
          const report = await validateUserData(parseUserData(text, `${w}+${e}`), { now: new Date(), platform });
          expect(blocking(report.problems), `${platform} ${w} + ${e}`).toEqual([]);
        }
      }
    }
  });

  it('each template takes one alternative of every oneOf: one workload kind, one logging backend', () => {
    const all = new Set(
      supported.flatMap((name) => [...PLATFORMS[name].templates.workload, ...PLATFORMS[name].templates.env]),
    );
    for (const name of all) {
      const data = parse(read(name)) as Record<string, unknown>;
      if (data['type'] === 'workload') {
        expect(kindOf(name), name).toHaveLength(1);
        const play = data['play'] as Record<string, unknown> | undefined;
        if (play) expect(Object.keys(play).filter((k) => ['archive', 'resources', 'templates'].includes(k)), name).toHaveLength(1);
      } else if ('logging' in data) {
        expect(Object.keys(data['logging'] as object), name).toHaveLength(1);
      } else {
        // env without logging is valid on ccco only
        const users = supported.filter((platform) => PLATFORMS[platform].templates.env.includes(name));
        expect(users.filter((platform) => PLATFORMS[platform].loggingRequired), name).toEqual([]);
      }
    }
  });

  it("offers only the workload kinds the platform runs (ccrv: no compose)", () => {
    for (const name of supported) {
      for (const file of PLATFORMS[name].templates.workload) {
        expect(PLATFORMS[name].workloadKinds, `${name} ${file}`).toContain(kindOf(file)[0]);
      }
    }
    expect(PLATFORMS.ccrv.templates.workload).not.toContain('workload-compose.yaml');
  });

  it('ccco: a peer-pod and a bare-metal variant, confidential-containers only, each variant complete', () => {
    expect(supported).toEqual(['hpvs', 'ccrt', 'ccrv', 'ccco']);
    const { variants, workload, env } = PLATFORMS.ccco.templates;
    expect(Object.keys(variants ?? {})).toEqual(['peerpod', 'bmtl']);
    for (const [variant, set] of sets('ccco')) {
      expect(set.workload.length, variant).toBeGreaterThan(0);
      expect(set.env.length, variant).toBeGreaterThan(0);
      for (const file of set.workload) expect(kindOf(file), file).toEqual(['confidential-containers']);
    }
    // the variants share nothing and together are the platform's list
    const listed = Object.values(variants!).flatMap((set) => [...set.workload, ...set.env]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.slice().sort()).toEqual([...workload, ...env].sort());
    // IBM's bare-metal template adds volumes and host-attestation (SPEC-IBM A1.4)
    const bmtlEnv = parse(read(variants!.bmtl!.env[0]!)) as Record<string, unknown>;
    expect(Object.keys(bmtlEnv)).toEqual(expect.arrayContaining(['host-attestation', 'volumes']));
    expect(parse(read(variants!.bmtl!.workload[0]!))).toHaveProperty('volumes');
    // a no-logging env only where logging is optional
    expect(parse(read('env-ccco.yaml'))).not.toHaveProperty('logging');
  });

  it('templatesFor: the variant an alias chose, the first variant for the plain name, all otherwise', () => {
    const choose = (text: string) => templatesFor(findPlatform(text)!);
    expect(choose('ccco')).toEqual(PLATFORMS.ccco.templates.variants!.peerpod);
    expect(choose('ccco-peerpod')).toEqual(PLATFORMS.ccco.templates.variants!.peerpod);
    expect(choose('ccco-bmtl')).toEqual(PLATFORMS.ccco.templates.variants!.bmtl);
    expect(choose('hpvs')).toEqual({ workload: PLATFORMS.hpvs.templates.workload, env: PLATFORMS.hpvs.templates.env });
  });
});

describe.skipIf(!HAS_REFERENCE)(`ccco templates against IBM's published coco schema (${REFERENCE_SKIP_REASON})`, () => {
  let official: ValidateFunction;
  beforeAll(() => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    official = ajv.compile(
      JSON.parse(readFileSync(referencePath('schema', 'hpse-contract-schema-coco-1.0.93-rhel.json'), 'utf8')),
    );
  });

  it.each(sets('ccco'))('%s: every filled pairing is valid for hpse-contract-schema-coco-1.0.93-rhel.json', (_, set) => {
    for (const w of set.workload) {
      for (const e of set.env) {
        const contract = { workload: parse(filled(w)), env: parse(filled(e)) };
        expect(official(contract), `${w} + ${e}: ${JSON.stringify(official.errors)}`).toBe(true);
      }
    }
  });
});
