import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockStringEntry } from '../../src/core/contract/assemble-contract.js';
import { parseSectionText, parseUserData } from '../../src/core/contract/user-data.js';
import { PLATFORM_NAMES, PLATFORMS } from '../../src/core/platforms/platforms.js';
import { createSyslogCertificates } from '../../src/core/pki/syslog-certificates.js';
import { formatProblem, type ContractProblem } from '../../src/core/schema/problems.js';
import { validateSection, validateUserData } from '../../src/core/schema/validate-contract.js';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

const TEMPLATES = join(PROJECT_ROOT, 'templates');
const read = (name: string) => readFileSync(join(TEMPLATES, name), 'utf8');
// ccco has no templates yet (its contracts come from the confidential-containers commands)
const supported = PLATFORM_NAMES.filter((name) => PLATFORMS[name].templates.workload.length > 0);
const blocking = (problems: readonly ContractProblem[]) =>
  problems.filter((problem) => problem.severity !== 'note').map(formatProblem);

let pems: Record<string, string>;

/** A template with every REPLACE placeholder filled the way its comments ask. */
function filled(name: string): string {
  let text = read(name)
    .replace(/REPLACE-with-a-random-(workload|env)-seed/g, (_, who) => `${who}-seed-8f3a1c9e2b7d4f60`)
    .replace('REPLACE.ingress', 'a1b2c3.ingress')
    .replace('REPLACE-with-your-IAM-API-key', 'k'.repeat(44));
  for (const [file, pem] of Object.entries(pems)) {
    const placeholder = new RegExp(
      ` *-----BEGIN [A-Z ]+-----\\n *REPLACE with the contents of ${file}\\n *-----END [A-Z ]+-----\\n`,
    );
    text = text.replace(placeholder, pem.trimEnd().split('\n').map((line) => `      ${line}\n`).join(''));
  }
  // comments may still say REPLACE; values may not
  expect(text, name).not.toMatch(/^[^#\n]*REPLACE/m);
  return text;
}

describe('templates per platform', () => {
  beforeAll(async () => {
    const tls = await createSyslogCertificates({ hostname: 'logs.example.com', now: new Date(), bits: 2048 });
    pems = {
      'tls/ca.crt': tls.caCertificatePem,
      'tls/client.crt': tls.clientCertificatePem,
      'tls/client-key.pem': tls.clientPrivateKeyPem,
    };
  });

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
    // and every pairing as a whole contract, with the rules across sections
    for (const w of workload) {
      for (const e of env) {
        const text = blockStringEntry('workload', filled(w)) + blockStringEntry('env', filled(e));
        const report = await validateUserData(parseUserData(text, `${w}+${e}`), { now: new Date(), platform });
        expect(blocking(report.problems), `${platform} ${w} + ${e}`).toEqual([]);
      }
    }
  });

  it('each template takes one alternative of every oneOf: one workload kind, one logging backend', () => {
    const all = new Set(supported.flatMap((name) => Object.values(PLATFORMS[name].templates).flat()));
    for (const name of all) {
      const data = parse(read(name)) as Record<string, unknown>;
      if (data['type'] === 'workload') {
        const kinds = ['compose', 'play', 'confidential-containers'].filter((kind) => kind in data);
        expect(kinds, name).toHaveLength(1);
        const play = data['play'] as Record<string, unknown> | undefined;
        if (play) expect(Object.keys(play).filter((k) => ['archive', 'resources', 'templates'].includes(k)), name).toHaveLength(1);
      } else {
        expect(Object.keys(data['logging'] as object), name).toHaveLength(1);
      }
    }
  });

  it("offers only the workload kinds the platform runs (ccrv: no compose)", () => {
    for (const name of supported) {
      for (const file of PLATFORMS[name].templates.workload) {
        const kind = file.includes('compose') ? 'compose' : 'play';
        expect(PLATFORMS[name].workloadKinds, `${name} ${file}`).toContain(kind);
      }
    }
    expect(PLATFORMS.ccrv.templates.workload).not.toContain('workload-compose.yaml');
  });

  it('ccco has no templates yet, though its schema is supported', () => {
    expect(PLATFORMS.ccco.templates).toEqual({ workload: [], env: [] });
    expect(PLATFORMS.ccco.schema.supported).toBe(true);
    expect(supported).toEqual(['hpvs', 'ccrt', 'ccrv']);
  });
});
