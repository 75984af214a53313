import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockStringEntry } from '../../src/core/contract/assemble-contract.js';
import { parseSectionText, parseUserData } from '../../src/core/contract/user-data.js';
import { validateUserData } from '../../src/core/schema/validate-contract.js';
import { archiveFolder } from '../../src/node/archive-folder.js';
import { createSyslogCertificates } from '../../src/core/pki/syslog-certificates.js';
import { formatProblem } from '../../src/core/schema/problems.js';
import { validateSection } from '../../src/core/schema/validate-contract.js';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

const TEMPLATES = join(PROJECT_ROOT, 'templates');
const read = (name: string) => readFileSync(join(TEMPLATES, name), 'utf8');

async function problems(key: 'workload' | 'env', name: string, text = read(name)) {
  const report = await validateSection(parseSectionText(key, text, `templates/${name}`), { now: new Date() });
  return report.problems.filter((problem) => problem.severity !== 'note').map(formatProblem);
}

describe('templates', () => {
  it('workload-compose.yaml carries the current archive of templates/compose', async () => {
    const { base64 } = await archiveFolder(join(TEMPLATES, 'compose'));
    const archive = /^ {2}archive: (\S+)$/m.exec(read('workload-compose.yaml'))?.[1];
    // after editing templates/compose, paste the output of: hpvs-ctl archive templates/compose
    expect(archive).toBe(base64);
  });

  it('the compose and pod folders pin every image by digest and archive without warnings', async () => {
    expect((await archiveFolder(join(TEMPLATES, 'compose'))).warnings).toEqual([]);
    expect((await archiveFolder(join(TEMPLATES, 'play'), { kind: 'play' })).warnings).toEqual([]);
    for (const file of ['compose/docker-compose.yaml', 'play/pod.yaml', 'workload-play.yaml']) {
      const images = [...read(file).matchAll(/image: (\S+)/g)].map((match) => match[1]);
      expect(images.length, file).toBeGreaterThan(0);
      for (const image of images) expect(image, file).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });

  it.each([
    ['workload', 'workload-compose.yaml'],
    ['workload', 'workload-play.yaml'],
    ['env', 'env-logrouter.yaml'],
  ] as const)('%s section %s passes the contract validator', async (key, name) => {
    expect(await problems(key, name)).toEqual([]);
  });

  it('env-syslog.yaml passes the validator once the certificates are pasted in', async () => {
    const tls = await createSyslogCertificates({ hostname: 'logs.example.com', now: new Date(), bits: 2048 });
    const pasted = { 'tls/ca.crt': tls.caCertificatePem, 'tls/client.crt': tls.clientCertificatePem, 'tls/client-key.pem': tls.clientPrivateKeyPem };
    let text = read('env-syslog.yaml');
    for (const [file, pem] of Object.entries(pasted)) {
      const placeholder = new RegExp(` *-----BEGIN [A-Z ]+-----\\n *REPLACE with the contents of ${file}\\n *-----END [A-Z ]+-----\\n`);
      expect(text).toMatch(placeholder);
      text = text.replace(placeholder, pem.trimEnd().split('\n').map((line) => `      ${line}\n`).join(''));
    }
    expect(await problems('env', 'env-syslog.yaml', text)).toEqual([]);
  });

  it("contract.yaml is the two section templates as | block strings (IBM's form) and validates", async () => {
    const text = read('contract.yaml');
    const body = text.replace(/^(?:#.*\n)+/, '');
    // after editing a section template, regenerate contract.yaml the same way
    expect(body).toBe(
      blockStringEntry('workload', read('workload-compose.yaml')) +
        blockStringEntry('env', read('env-logrouter.yaml')),
    );
    const parsed = parseUserData(text, 'templates/contract.yaml');
    expect(parsed.sections.get('workload')!.form).toBe('string');
    const report = await validateUserData(parsed, { now: new Date() });
    expect(report.problems.filter((problem) => problem.severity !== 'note').map(formatProblem)).toEqual([]);
  });
});
