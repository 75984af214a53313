import { describe, expect, it } from 'vitest';
import { parseSectionText, parseUserData } from '../../../src/core/contract/user-data.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';

const TEXT = `# deployer's contract
workload:
  type: workload # the provider's part
  compose:
    archive: H4sI
  env:
    A: |
      line one

      line three
env: hyper-protect-basic.AAAA.BBBB
attestationPublicKey: |
  -----BEGIN PUBLIC KEY-----
  AAAA
  -----END PUBLIC KEY-----
`;

describe('parseUserData', () => {
  const parsed = parseUserData(TEXT, 'user-data.yaml');

  it('classifies each top-level value', () => {
    expect(parsed.sections.get('workload')!.form).toBe('mapping');
    expect(parsed.sections.get('env')!.form).toBe('token');
    expect(parsed.sections.get('attestationPublicKey')!.form).toBe('string');
  });

  it('keeps the exact value string: a token as written, a mapping as its dedented text', () => {
    expect(parsed.sections.get('env')!.value).toBe('hyper-protect-basic.AAAA.BBBB');
    expect(parsed.sections.get('workload')!.value).toBe(
      "type: workload # the provider's part\ncompose:\n  archive: H4sI\nenv:\n  A: |\n    line one\n\n    line three\n",
    );
    expect(parsed.sections.get('attestationPublicKey')!.value).toBe(
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
    );
  });

  it('locates paths, missing paths at their nearest parent, and keys', () => {
    const workload = parsed.sections.get('workload')!;
    expect(workload.positionOf(['compose', 'archive'])).toEqual({ line: 5, col: 14 });
    expect(workload.positionOf(['compose', 'missing'])).toEqual({ line: 5, col: 5 });
    expect(workload.keyPositionOf(['env'], 'A')).toEqual({ line: 7, col: 5 });
    expect(parsed.keyPosition('env')).toEqual({ line: 11, col: 1 });
  });

  it('fails on invalid YAML with file:line:col', () => {
    const error = thrownHpvsError(() => parseUserData('workload:\n  type: [\n', 'bad.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(/^bad\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('fails on duplicate keys and on a document that is not a mapping', () => {
    expect(thrownHpvsError(() => parseUserData('env: a\nenv: b\n', 'dup.yaml')).message).toMatch(
      /^dup\.yaml:2:1: invalid YAML/,
    );
    expect(thrownHpvsError(() => parseUserData('- a\n', 'list.yaml')).code).toBe(
      'CONTRACT_INVALID',
    );
  });

  it('resolves anchors and aliases in a section', () => {
    const data = parseUserData(
      'workload:\n  type: workload\n  env: &e\n    A: "1"\n  x: *e\n',
      'u',
    ).sections.get('workload')!.data;
    expect(data).toEqual({ type: 'workload', env: { A: '1' }, x: { A: '1' } });
  });
});

describe('parseSectionText', () => {
  it('keeps a section file exactly, and reads a token file as a token', () => {
    const text = '# comment\ntype: env\nlogging: {}\n';
    expect(parseSectionText('env', text, 'env.yaml').value).toBe(text);
    const token = parseSectionText('env', 'hyper-protect-basic.AAAA.BBBB\n', 'env.enc');
    expect(token.form).toBe('token');
    expect(token.value).toBe('hyper-protect-basic.AAAA.BBBB');
  });
});
