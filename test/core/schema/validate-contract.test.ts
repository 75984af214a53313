import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildTgz } from '../../../src/core/archive/build-tgz.js';
import { parseSectionText, parseUserData } from '../../../src/core/contract/user-data.js';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { formatProblem } from '../../../src/core/schema/problems.js';
import { validateSection, validateUserData } from '../../../src/core/schema/validate-contract.js';

const random = (length: number) => new Uint8Array(randomBytes(length));
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });

async function lines(text: string, profile: 'hpvs' | 'ccrv' = 'hpvs'): Promise<string[]> {
  const report = await validateUserData(parseUserData(text, 'user-data.yaml'), {
    now: new Date(),
    platform: profile,
  });
  return report.problems.map(formatProblem);
}

const ENV = `env:
  type: env
  logging:
    logRouter:
      hostname: logs.example.com
      iamApiKey: key
`;

describe('validateUserData', () => {
  it('reports each problem at its place in the YAML with a readable message', async () => {
    const text = `workload:
  type: workload
  play:
    archive: H4sIAAAA
  volumes:
    data:
      seed: too-short
  env:
    PORT: 8080
${ENV}  volumes:
    data:
      seed: env-seed-0123456789
`;
    expect(await lines(text)).toEqual([
      expect.stringMatching(
        /^user-data\.yaml:4:14 workload\.play\.archive: archive: the gzip data is corrupted/,
      ),
      'user-data.yaml:7:13 workload.volumes.data.seed: must be at least 15 characters from a-z A-Z 0-9 !@#$%^&*(),.?":{}|<>_-',
      'user-data.yaml:9:11 workload.env.PORT: must be a string: quote it ("8080", "true"), YAML reads it as another type otherwise',
    ]);
  });

  it('points at the key for unknown keys and bad names, and never echoes secret values', async () => {
    const text = `workload:
  type: workload
  compose:
    archive: AAAA
    extra: 1
  auths:
    us.icr.io:
      username: iamapikey
      password: 12345678
${ENV}`;
    const found = await lines(text);
    expect(found).toContain(
      'user-data.yaml:5:5 workload.compose.extra: unknown key (allowed: archive)',
    );
    expect(found).toContain(
      'user-data.yaml:9:17 workload.auths["us.icr.io"].password: must be a string, found a number',
    );
    expect(found.join('\n')).not.toContain('12345678');
  });

  it('checks the rules across sections: volume names and both seeds', async () => {
    const text = `workload:
  type: workload
  play: {}
  volumes:
    data:
      seed: workload-seed-0123456789
${ENV}  volumes:
    logs:
      kmsTimeout: 3
`;
    const found = await lines(text);
    expect(found).toContain(
      'user-data.yaml:5:5 workload.volumes.data: env.volumes has no "data": the LUKS passphrase needs the env seed of the same volume (the runtime stops with HPL07015E); env has logs',
    );
    expect(found).toContain(
      'user-data.yaml:14:5 env.volumes.logs: workload.volumes has no "logs": the volume names in workload and env must match (the runtime stops with HPL07015E); workload has data',
    );
    expect(found).toContain(
      'user-data.yaml:14:5 env.volumes.logs: needs the env seed (seed), or uv-secret-id; the LUKS passphrase is derived from both seeds',
    );
    expect(found).toContain(
      'user-data.yaml:3:3 workload.play: warning: has no archive, resources or templates, so no container will run',
    );
  });

  it('refuses build: in the compose file inside the archive', async () => {
    const archive = await buildTgz([
      {
        type: 'file',
        path: 'docker-compose.yaml',
        data: Buffer.from('services:\n  app:\n    build: ./src\n'),
        executable: false,
      },
    ]);
    const found = await lines(
      `workload:\n  type: workload\n  compose:\n    archive: ${archive.toString('base64')}\n${ENV}`,
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^user-data\.yaml:4:14 workload\.compose\.archive: archive\/docker-compose\.yaml:3:12 service "app" has a build: section/,
      ),
    ]);
  });

  it('reports encrypted sections as encrypted after checking their structure', async () => {
    const token = encryptSection(Buffer.from('type: env\n'), rsa2048.publicKey, random);
    const good = await lines(`workload: ${token}\nenv: ${token}\n`);
    expect(good).toEqual([
      "user-data.yaml:1:11 workload: note: encrypted (hyper-protect-basic, RSA-2048 wrapped password); its content can only be checked before encryption or with the runtime's private key",
      "user-data.yaml:2:6 env: note: encrypted (hyper-protect-basic, RSA-2048 wrapped password); its content can only be checked before encryption or with the runtime's private key",
    ]);
    const [, password, data] = token.split('.');
    const shortRsa = `hyper-protect-basic.${Buffer.from(password!, 'base64').subarray(0, 200).toString('base64')}.${data}`;
    const notSalted = `hyper-protect-basic.${password}.${Buffer.alloc(48).toString('base64')}`;
    const badBase64 = `hyper-protect-basic.${password}.@@@@`;
    const found = await lines(
      `workload: ${shortRsa}\nenv: ${notSalted}\nattestationPublicKey: ${badBase64}\n`,
    );
    expect(found).toEqual([
      'user-data.yaml:1:11 workload: malformed encrypted section: the password part is 200 bytes; an RSA-2048 or RSA-4096 block is 256 or 512 bytes',
      'user-data.yaml:2:6 env: malformed encrypted section: the data part is not openssl enc output ("Salted__", 8-byte salt, whole AES blocks)',
      'user-data.yaml:3:23 attestationPublicKey: malformed encrypted section: the data part is not valid base64 (truncated or corrupted?)',
    ]);
    expect(
      await lines(`workload: ${token.slice(0, 60)}\n  ${token.slice(60)}\nenv: ${token}\n`),
    ).toContain(
      'user-data.yaml:1:11 workload: the encrypted token must be on one line; the runtime does not join wrapped lines',
    );
  });

  it('says when volume names cannot be compared because one section is encrypted', async () => {
    const token = encryptSection(Buffer.from('type: workload\n'), rsa2048.publicKey, random);
    const found = await lines(
      `workload: ${token}\n${ENV}  volumes:\n    data:\n      seed: env-seed-0123456789\n`,
    );
    expect(found).toContain(
      'user-data.yaml:8:3 env.volumes: note: not compared with the workload volumes, which are encrypted; the names must match',
    );
  });

  it('needs both sections and warns about legacy logDNA', async () => {
    const found = await lines(
      `env:\n  type: env\n  logging:\n    logDNA:\n      hostname: logs.example.com\n      ingestionKey: ${'a'.repeat(32)}\n`,
    );
    expect(found).toEqual([
      'user-data.yaml:1:1 workload: missing: user data needs both workload and env',
      'user-data.yaml:4:5 env.logging.logDNA: warning: logDNA is deprecated: only images from 2023 (contract schema 1.0.51) read it, current images reject the contract; use logRouter (IBM Cloud Logs) or syslog',
    ]);
  });

  it('applies the ccrv profile: play only', async () => {
    const found = await lines(
      `workload:\n  type: workload\n  compose:\n    archive: AAAA\n${ENV}`,
      'ccrv',
    );
    expect(found).toContain(
      'user-data.yaml:3:3 workload.compose: CCRV does not run compose; use play (archive, resources or templates) instead',
    );
  });
});

describe('validateSection', () => {
  it('checks a section file on its own, with positions in that file', async () => {
    const section = parseSectionText(
      'env',
      'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n    port: 99999\n',
      'env.yaml',
    );
    const report = await validateSection(section, { now: new Date() });
    expect(report.valid).toBe(false);
    expect(report.problems.map(formatProblem)).toEqual([
      'env.yaml:3:3 env.logging.syslog: missing required key "server"',
      'env.yaml:5:11 env.logging.syslog.port: must be a port number from 1 to 65535',
    ]);
  });
});

describe('values whose type depends on the YAML version', () => {
  it('warns about unquoted yes, on, 12:30 and 1_000, not about quoted ones or plain words', async () => {
    const section = parseSectionText(
      'workload',
      'type: workload\nplay: {}\nenv:\n  A: yes\n  B: "on"\n  C: 12:30\n  D: 1_000\n  E: hello\n  F: off\n',
      'w.yaml',
    );
    const warnings = (await validateSection(section, { now: new Date() })).problems
      .filter((problem) => problem.message.includes('YAML 1.1'))
      .map(formatProblem);
    expect(warnings).toEqual([
      'w.yaml:4:6 workload.env.A: warning: this unquoted value is a string here but a boolean to YAML 1.1 readers; quote it so every reader agrees',
      'w.yaml:6:6 workload.env.C: warning: this unquoted value is a string here but a number to YAML 1.1 readers; quote it so every reader agrees',
      'w.yaml:7:6 workload.env.D: warning: this unquoted value is a string here but a number to YAML 1.1 readers; quote it so every reader agrees',
      'w.yaml:9:6 workload.env.F: warning: this unquoted value is a string here but a boolean to YAML 1.1 readers; quote it so every reader agrees',
    ]);
  });
});
