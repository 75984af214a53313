import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { systemRandom } from '../../../src/node/random.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-contract-in-');
let f: AuthoringFiles;
let counter = 0;
const file = (name: string) => join(f.dir, name);
const out = () => file(`out-${++counter}.yaml`);

const ENV_BODY = `  type: env
  # the deployer's logging
  logging:
    logRouter:
      hostname: ingest.logs.example.com
      iamApiKey: iam-api-key-0123456789
  env:
    MODE: "0755"
    FLAG: yes
`;
const WORKLOAD_BODY = `  type: workload
  play: {}
`;
// a contract as IBM's docs write it, with what a user adds: comments, an unknown key
const CONTRACT = `# written by hand
env: |
${ENV_BODY}
# the provider's part
workload: |
${WORKLOAD_BODY}x-owner: team-a
`;

function signingKeyLines(): string {
  const pem = createPublicKey(readFileSync(f.signKey)).export({ type: 'spki', format: 'pem' });
  return `  signingKey: |\n${(pem as string).replace(/^(?=.)/gm, '    ')}`;
}

beforeAll(async () => {
  f = await writeAuthoringFiles(tempDir());
  writeFileSync(file('contract.yaml'), CONTRACT);
});

describe('hpvs-ctl contract --in', () => {
  it('signs a block-string contract in place: only signingKey and the signature are added', async () => {
    const target = out();
    const result = await runCli(
      story.contract({ in: file('contract.yaml'), signKey: f.signKey, out: target }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/x-owner: warning: unknown top-level key/);
    const text = readFileSync(target, 'utf8');
    const signature = parseUserData(text, target).sections.get('envWorkloadSignature')!.value;
    expect(text).toBe(
      CONTRACT.replace(ENV_BODY, `${ENV_BODY}${signingKeyLines()}`) +
        `envWorkloadSignature: ${signature}\n`,
    );
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // values keep their text: MODE stays "0755" (IBM re-serialises env), FLAG the string yes
    const env = parseUserData(text, target).sections.get('env')!;
    expect((env.data as { env: object }).env).toEqual({ MODE: '0755', FLAG: 'yes' });
    expect((await runCli(['verify', target])).code).toBe(0);
    if (hasTool('openssl')) {
      const parsed = parseUserData(text, target);
      writeFileSync(file('sig.bin'), Buffer.from(signature, 'base64'));
      const data = parsed.sections.get('workload')!.value + parsed.sections.get('env')!.value;
      const check = runTool(
        'openssl',
        ['dgst', '-sha256', '-verify', f.signPub, '-signature', file('sig.bin')],
        data,
      );
      expect(check.status).toBe(0);
    }
    // a template's empty envWorkloadSignature: is filled in where it is
    const template = file('template.yaml');
    writeFileSync(template, `${CONTRACT}envWorkloadSignature:\n`);
    const filled = out();
    expect(
      (await runCli(['contract', '--in', template, '--sign-key', f.signKey, '--out', filled])).code,
    ).toBe(0);
    expect(readFileSync(filled, 'utf8')).toBe(text);
    // building the output again changes nothing: the key is there, the signature the same
    const again = out();
    expect(
      (await runCli(['contract', '--in', target, '--sign-key', f.signKey, '--out', again])).code,
    ).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(text);
  });

  it('encrypts each plaintext section from its exact string value, keeps tokens, comments, order and unknown keys', async () => {
    const hpcr = createPrivateKey(readFileSync(f.hpcrKey));
    const attestation = encryptSection(
      Buffer.from(readFileSync(f.signPub)),
      createPublicKey(hpcr),
      systemRandom,
    );
    const source = file('with-token.yaml');
    writeFileSync(source, `${CONTRACT}attestationPublicKey: ${attestation}\n`);
    const target = out();
    const result = await runCli(
      story.contract({ in: source, cert: f.hpcrCert, signKey: f.signKey, out: target }),
    );
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(target, 'utf8');
    expect(text.split('\n').map((line) => line.replace(/: \S+$/, ': ...'))).toEqual([
      '# written by hand',
      'env: ...',
      '',
      "# the provider's part",
      'workload: ...',
      'x-owner: ...',
      'attestationPublicKey: ...',
      'envWorkloadSignature: ...',
      '',
    ]);
    const parsed = parseUserData(text, target);
    // the token another persona made is kept as it was, not encrypted twice
    expect(parsed.sections.get('attestationPublicKey')!.value).toBe(attestation);
    const open = (key: string) =>
      decryptSection(parsed.sections.get(key)!.value, hpcr, systemRandom).toString('utf8');
    expect(open('workload')).toBe(WORKLOAD_BODY.replace(/^ {2}/gm, ''));
    expect(open('env')).toBe(
      `${ENV_BODY}${signingKeyLines()}`.replace(/^ {2}/gm, '').replace(/\n\n$/, '\n'),
    );
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect((await runCli(['verify', target, '--signing-key', f.signPub])).code).toBe(0);
  });

  it('encrypts a base64 attestationPublicKey as the PEM it holds', async () => {
    const source = file('base64-key.yaml');
    const pem = readFileSync(f.signPub, 'utf8');
    writeFileSync(
      source,
      `${CONTRACT}attestationPublicKey: ${Buffer.from(pem).toString('base64')}\n`,
    );
    const target = out();
    const result = await runCli(story.contract({ in: source, cert: f.hpcrCert, out: target }));
    expect(result.code, result.stderr).toBe(0);
    const token = parseUserData(readFileSync(target, 'utf8'), target).sections.get(
      'attestationPublicKey',
    )!.value;
    expect(
      decryptSection(token, createPrivateKey(readFileSync(f.hpcrKey)), systemRandom).toString(
        'utf8',
      ),
    ).toBe(pem);
  });

  it('adds signingKey to a mapping-form env after its last line, leaving its text alone', async () => {
    const source = file('mapping.yaml');
    const mapping = `workload:\n${WORKLOAD_BODY}env:\n${ENV_BODY}`;
    writeFileSync(source, mapping);
    const target = out();
    const result = await runCli(story.contract({ in: source, signKey: f.signKey, out: target }));
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(target, 'utf8');
    expect(text.startsWith(`${mapping}${signingKeyLines()}envWorkloadSignature: `)).toBe(true);
    expect((await runCli(['verify', target])).code).toBe(0);
  });

  it('refuses to overwrite a signingKey of another key, says so, and writes nothing', async () => {
    const other = createPublicKey(readFileSync(f.hpcrKey)).export({ type: 'spki', format: 'pem' });
    const source = file('other-key.yaml');
    writeFileSync(
      source,
      CONTRACT.replace(
        ENV_BODY,
        `${ENV_BODY}  signingKey: |\n${(other as string).replace(/^(?=.)/gm, '    ')}`,
      ),
    );
    const target = out();
    await expectCliError(
      ['contract', '--in', source, '--sign-key', f.signKey, '--out', target],
      /other-key\.yaml:12:\d+ env\.signingKey is another key than the signing key; hpvs-ctl does not overwrite it/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('refuses invalid contracts with the position inside the block, and flag mixes with exit 2', async () => {
    const source = file('invalid.yaml');
    writeFileSync(
      source,
      CONTRACT.replace('      hostname: ingest', '      port: 99999\n      hostname: ingest'),
    );
    const target = out();
    await expectCliError(
      ['contract', '--in', source, '--out', target],
      /invalid\.yaml:7:13 env\.logging\.logRouter\.port: /,
    );
    expect(existsSync(target)).toBe(false);
    for (const extra of [
      ['--workload', source],
      ['--section-style', 'mapping'],
      ['--batch', source],
    ]) {
      const usage = await runCli([
        'contract',
        '--in',
        file('contract.yaml'),
        ...extra,
        '--out',
        out(),
      ]);
      expect(usage.code, usage.stderr).toBe(2);
      expect(usage.stderr).toMatch(/--in takes the sections from the contract/);
    }
    expect((await runCli(['contract', '--out', out()])).code).toBe(2);
  });
});
