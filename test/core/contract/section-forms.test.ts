import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inspectUserData } from '../../../src/core/contract/inspect-user-data.js';
import { formatInspection } from '../../../src/cli/commands/inspection-text.js';
import { parseUserData, sectionBytes } from '../../../src/core/contract/user-data.js';
import { validateUserData } from '../../../src/core/schema/validate-contract.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';

// IBM's documented form (SPEC-IBM A2.8): each section a `|` block holding its YAML
const BLOCK = `env: |
  type: env
  logging:
    logRouter:
      hostname: 5c2d6b69-c7f0-41bd-b69b-240695369d6e.ingress.us-south.logs.cloud.ibm.com
      iamApiKey: ab00e3c09p1d4ff7fff9f04c12183413
workload: |
  type: workload
  compose:
    archive: kdsbfoijdfojsnbo
attestationPublicKey: |
  -----BEGIN PUBLIC KEY-----
  MIIBIjANBgkq
  -----END PUBLIC KEY-----
`;

describe('section forms', () => {
  it('reads a | block string as the section YAML it holds, keeping the exact string as its bytes', () => {
    const parsed = parseUserData(BLOCK, 'contract.yaml');
    const workload = parsed.sections.get('workload')!;
    expect(workload.form).toBe('string');
    expect(workload.positions).toBe('exact');
    expect(workload.value).toBe('type: workload\ncompose:\n  archive: kdsbfoijdfojsnbo\n');
    expect(sectionBytes(workload).toString('utf8')).toBe(workload.value);
    expect(workload.data).toEqual({ type: 'workload', compose: { archive: 'kdsbfoijdfojsnbo' } });
    const env = parsed.sections.get('env')!;
    expect(env.form).toBe('string');
    expect((env.data as { logging: unknown }).logging).toBeDefined();
    expect(parsed.sections.get('attestationPublicKey')!.data).toBe(
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n',
    );
  });

  it('locates paths inside a block string at the line and column of the outer file', () => {
    const parsed = parseUserData(BLOCK, 'contract.yaml');
    const env = parsed.sections.get('env')!;
    expect(env.positionOf(['logging', 'logRouter', 'iamApiKey'])).toEqual({ line: 6, col: 18 });
    expect(env.keyPositionOf(['logging'], 'logRouter')).toEqual({ line: 4, col: 5 });
    expect(env.positionOf([])).toEqual({ line: 1, col: 1 });
    const workload = parsed.sections.get('workload')!;
    expect(workload.positionOf(['compose', 'archive'])).toEqual({ line: 10, col: 14 });
    expect(workload.positionOf(['compose', 'missing'])).toEqual({ line: 10, col: 5 });
  });

  it.each([
    ['|-', '  type: workload\n  play: {}\n', 'type: workload\nplay: {}', 3],
    ['|+', '  type: workload\n  play: {}\n\n\n', 'type: workload\nplay: {}\n\n\n', 3],
    ['|2', '  type: workload\n  play: {}\n', 'type: workload\nplay: {}\n', 3],
    ['|2', '    type: workload\n    play: {}\n', '  type: workload\n  play: {}\n', 5],
    ['|-4 # four', '    type: workload\n    play: {}\n', 'type: workload\nplay: {}', 5],
    ['|', '\n  type: workload\n  play: {}\n', '\ntype: workload\nplay: {}\n', 3],
  ])('maps positions through a %s block', (header, body, value, col) => {
    const text = `workload: ${header}\n${body}env: x\n`;
    const workload = parseUserData(text, 'u.yaml').sections.get('workload')!;
    expect(workload.value).toBe(value);
    expect(workload.positions).toBe('exact');
    const line = value.startsWith('\n') ? 4 : 3;
    expect(workload.positionOf(['play'])).toEqual({ line, col });
  });

  it('falls back to the string start for quoted and folded strings', () => {
    for (const value of ['"type: workload\\nplay: {}\\n"', '>\n  type: workload\n\n  play: {}\n']) {
      const workload = parseUserData(`env: x\nworkload: ${value}`, 'u.yaml').sections.get(
        'workload',
      )!;
      expect(workload.form).toBe('string');
      expect(workload.positions).toBe('string-start');
      expect(workload.data).toEqual({ type: 'workload', play: {} });
      expect(workload.positionOf(['play'])).toEqual({ line: 2, col: 11 });
    }
  });

  it('reports invalid YAML inside a block string at its line in the outer file', () => {
    const text = 'workload: |\n  type: workload\n  compose: [unclosed\nenv: x\n';
    const error = thrownHpvsError(() => parseUserData(text, 'u.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(/^u\.yaml:[34]:\d+: invalid YAML in the workload string: /);
    const duplicate = thrownHpvsError(() =>
      parseUserData('env: |\n  type: env\n  type: env\nworkload: x\n', 'u.yaml'),
    );
    expect(duplicate.message).toBe(
      'u.yaml:3:3: invalid YAML in the env string: Map keys must be unique',
    );
  });

  it('reads a token inside a block string as a token (value with its newline)', () => {
    const section = parseUserData(
      'workload: |\n  hyper-protect-basic.AAAA.BBBB\nenv: x\n',
      'u.yaml',
    ).sections.get('workload')!;
    expect(section.form).toBe('token');
    expect(section.value).toBe('hyper-protect-basic.AAAA.BBBB\n');
  });

  it('validates a block-string contract and reports each problem where the user edits it', async () => {
    const text = BLOCK.replace('  compose:\n', '  bogus: 1\n  compose:\n').replace(
      '      iamApiKey: ab00e3c09p1d4ff7fff9f04c12183413\n',
      '      iamApiKey: ab00e3c09p1d4ff7fff9f04c12183413\n      port: 99999\n',
    );
    const report = await validateUserData(parseUserData(text, 'c.yaml'), { now: new Date() });
    const at = (path: string) => report.problems.find((problem) => problem.path === path);
    expect(at('env.logging.logRouter.port')).toMatchObject({ severity: 'error', line: 7, col: 13 });
    expect(at('workload.bogus')).toMatchObject({ severity: 'warning', line: 10, col: 3 });
  });

  it('says what a string that is not a section holds', async () => {
    const report = await validateUserData(
      parseUserData('workload: just text\nenv: |\n  - a list\n', 'c.yaml'),
      { now: new Date() },
    );
    const messages = report.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toContain(
      'workload: the string must hold the workload section as YAML keys (type: workload, ...), found a string',
    );
    expect(messages).toContain(
      'env: the string must hold the env section as YAML keys (type: env, ...), found a list',
    );
  });
});

describe('attestationPublicKey forms', () => {
  const pem = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string;
  const rsa4096 = pem(4096);
  const rsa2048 = pem(2048);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  const problems = async (value: string) => {
    const text = `${BLOCK.split('attestationPublicKey')[0]}attestationPublicKey: ${value}\n`;
    const report = await validateUserData(parseUserData(text, 'c.yaml'), { now: new Date() });
    return report.problems
      .filter((problem) => problem.path === 'attestationPublicKey')
      .map(
        (problem) =>
          `${problem.severity}${problem.rule ? ` [${problem.rule}]` : ''}: ${problem.message}`,
      );
  };
  const block = (text: string) => `|\n${text.replace(/^(?=.)/gm, '  ')}`;

  it('takes an RSA-4096 PEM block silently, warns under 4096 bits and for base64 of the PEM', async () => {
    expect(await problems(block(rsa4096))).toEqual([]);
    expect(await problems(block(rsa2048))).toEqual([
      "warning: is an RSA-2048 key; the runtime's own keys are RSA-4096, use at least that",
    ]);
    expect(await problems(Buffer.from(rsa4096).toString('base64'))).toEqual([
      expect.stringMatching(
        /^warning \[attestation-key-base64\]: is the base64 of a PEM public key/,
      ),
    ]);
  });

  it('refuses an EC key, base64 that is no key, and a mapping', async () => {
    expect(await problems(block(ec))).toEqual([
      expect.stringMatching(
        /^error \[attestation-key-usable\]: .*EC key; hpvs-ctl needs an RSA key/,
      ),
    ]);
    expect(await problems('bm90IGEga2V5')).toEqual([
      'error: must be a PEM public key (as a | block), the base64 of one, or an encrypted token',
    ]);
    expect(await problems('{ a: 1 }')).toEqual([
      'error: must be a PEM public key (as a | block), the base64 of one, or an encrypted token',
    ]);
  });
});

describe('inspect', () => {
  it('says which form each section is written in and summarises block strings', async () => {
    const report = await inspectUserData(BLOCK, 'contract.yaml', new Date());
    expect(report.sections.map((section) => [section.key, section.form, section.written])).toEqual([
      ['env', 'plaintext', 'string'],
      ['workload', 'plaintext', 'string'],
      ['attestationPublicKey', 'string', 'string'],
    ]);
    expect(report.sections[0]!.summary).toMatchObject({
      type: 'env',
      logging: { type: 'logRouter' },
    });
    expect(formatInspection(report)).toContain(
      'workload (line 7): plaintext (| block string), 52 bytes',
    );
  });
});

describe('positions are indexed once', () => {
  // Each unknown key used to be found by scanning its whole mapping (and the parser's own
  // duplicate-key check compared every pair): 80,000 keys took minutes. The speed itself is
  // measured by bench/validate-unknown-keys.mjs; this checks the answers at that size.
  it('reports 80,000 unknown keys (a mapping and a block string), each at its own line', async () => {
    const half = 40_000;
    const keys = (prefix: string) =>
      Array.from({ length: half }, (_, index) => `  ${prefix}${index}: 1\n`).join('');
    const text =
      `workload:\n  type: workload\n  play: {}\n${keys('w')}` +
      `env: |\n  type: env\n  logging:\n    logRouter:\n      hostname: a.example.com\n      iamApiKey: x\n${keys('e')}`;
    const report = await validateUserData(parseUserData(text, 'big.yaml'), { now: new Date() });
    const unknown = (section: string) =>
      report.problems.filter(
        (problem) =>
          problem.path.startsWith(`${section}.`) && problem.message.startsWith('unknown key'),
      );
    const workload = unknown('workload');
    const env = unknown('env');
    expect(workload).toHaveLength(half);
    expect(env).toHaveLength(half);
    expect(workload.every((problem) => problem.line === Number(problem.path.slice(10)) + 4)).toBe(
      true,
    );
    expect(env.every((problem) => problem.line === Number(problem.path.slice(5)) + half + 10)).toBe(
      true,
    );
    expect(env.every((problem) => problem.col === 3)).toBe(true);
  });
});
