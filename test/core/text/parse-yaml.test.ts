import { describe, expect, it } from 'vitest';
import {
  MAX_YAML_DEPTH,
  parseYamlDocument,
  parseYamlDocuments,
  yamlValue,
} from '../../../src/core/text/parse-yaml.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';

/** Nine times more nodes at each level: about 10^8 nodes once expanded, from 300 bytes. */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  '',
].join('\n');

describe('parseYamlDocument / yamlValue', () => {
  it('reads values, with positions for messages', () => {
    const parsed = parseYamlDocument('a: 1\nb: [x, y]\n', 'f.yaml');
    expect(yamlValue(parsed, parsed.doc)).toEqual({ a: 1, b: ['x', 'y'] });
    expect(parsed.at(5)).toBe('f.yaml:2:1');
  });

  it('keeps ordinary anchors and aliases working', () => {
    const parsed = parseYamlDocument('base: &b {image: x}\nweb: *b\n', 'f.yaml');
    expect(yamlValue(parsed, parsed.doc)).toEqual({ base: { image: 'x' }, web: { image: 'x' } });
  });

  it('refuses an alias bomb as YAML_INVALID at the first alias, on one line', () => {
    const parsed = parseYamlDocument(ALIAS_BOMB, 'bomb.yaml');
    const error = thrownHpvsError(() => yamlValue(parsed, parsed.doc));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      'bomb.yaml:2:8: invalid YAML: its aliases expand to too many nodes (an alias bomb?); write the values out instead of repeating anchors',
    );
  });

  it('refuses an alias bomb below a node too', () => {
    const parsed = parseYamlDocument(`top:\n  ${ALIAS_BOMB.replace(/\n/g, '\n  ')}`, 'b.yaml');
    const node = parsed.doc.get('top', true) as Parameters<typeof yamlValue>[2];
    expect(thrownHpvsError(() => yamlValue(parsed, parsed.doc, node)).message).toMatch(
      /^b\.yaml:3:10: invalid YAML: its aliases expand/,
    );
  });

  it('turns nesting deeper than yaml allows into one line with a position', () => {
    const error = thrownHpvsError(() =>
      parseYamlDocument(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'deep.yaml'),
    );
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(/^deep\.yaml:1:\d+: invalid YAML: [^\n]+$/);
    expect(error.message).not.toMatch(/at line/);
  });

  it('refuses flow and block nesting past MAX_YAML_DEPTH at the collection that goes past it', () => {
    const flow = (depth: number) => `a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    // the top-level mapping is one level
    const ok = parseYamlDocument(flow(MAX_YAML_DEPTH - 1), 'ok.yaml');
    expect(yamlValue(ok, ok.doc)).toHaveProperty('a');
    expect(thrownHpvsError(() => parseYamlDocument(flow(MAX_YAML_DEPTH), 'f.yaml')).message).toBe(
      `f.yaml:1:${3 + MAX_YAML_DEPTH}: invalid YAML: nested deeper than ${MAX_YAML_DEPTH} levels`,
    );
    const block = Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(
      thrownHpvsError(() => parseYamlDocuments(`x: 1\n---\n${block} v\n`, 'b.yaml')).message,
    ).toBe(
      `b.yaml:${2 + MAX_YAML_DEPTH + 1}:${MAX_YAML_DEPTH + 1}: invalid YAML: nested deeper than ${MAX_YAML_DEPTH} levels`,
    );
  });

  it("places the nesting error in the outer file, with the caller's wording", () => {
    const error = thrownHpvsError(() =>
      parseYamlDocument(`${'['.repeat(1000)}${']'.repeat(1000)}`, 'user-data.yaml', {
        locate: (offset) => ({ line: 10, col: offset + 3 }),
        what: 'invalid YAML in the workload string',
      }),
    );
    expect(error.message).toBe(
      `user-data.yaml:10:${MAX_YAML_DEPTH + 3}: invalid YAML in the workload string: nested deeper than ${MAX_YAML_DEPTH} levels`,
    );
  });

  it('reports syntax errors and a second document with file:line:col', () => {
    expect(thrownHpvsError(() => parseYamlDocument('a: [1\n', 'x.yaml')).message).toMatch(
      /^x\.yaml:\d+:\d+: invalid YAML: /,
    );
    expect(thrownHpvsError(() => parseYamlDocument('a: 1\n---\nb: 2\n', 'x.yaml')).code).toBe(
      'YAML_INVALID',
    );
  });
});

describe('duplicate keys', () => {
  it('are refused at the second one, in every mapping, as yaml would', () => {
    expect(
      thrownHpvsError(() => parseYamlDocument('a: 1\nb:\n  c: 1\n  c: 2\n', 'd.yaml')).message,
    ).toBe('d.yaml:4:3: invalid YAML: Map keys must be unique');
    expect(thrownHpvsError(() => parseYamlDocument('~: a\nnull: b\n', 'd.yaml')).code).toBe(
      'YAML_INVALID',
    );
    // a number and a string are different keys
    const parsed = parseYamlDocument('1: a\n"1": b\n', 'd.yaml');
    expect(yamlValue(parsed, parsed.doc)).toEqual({ 1: 'b' });
  });

  it('are found in a mapping of 20,000 keys, by a linear check (yaml compares each key with all earlier ones)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `s${i}: {image: x}`);
    const text = `services:\n  ${keys.join('\n  ')}\n`;
    const parsed = parseYamlDocument(text, 'big.yaml');
    expect(
      Object.keys((yamlValue(parsed, parsed.doc) as { services: object }).services),
    ).toHaveLength(20_000);
    expect(thrownHpvsError(() => parseYamlDocument(`${text}  s5: {}\n`, 'big.yaml')).message).toBe(
      'big.yaml:20002:3: invalid YAML: Map keys must be unique',
    );
  });
});

describe('parseYamlDocuments', () => {
  it('reads every document, none from empty text, and fails on the first broken one', () => {
    const parsed = parseYamlDocuments('a: 1\n---\nb: 2\n', 's.yaml');
    expect(parsed.documents.map((doc) => yamlValue(parsed, doc))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseYamlDocuments('', 's.yaml').documents).toEqual([]);
    expect(
      thrownHpvsError(() => parseYamlDocuments('a: 1\n---\nb: [\n', 's.yaml')).message,
    ).toMatch(/^s\.yaml:\d+:\d+: invalid YAML: /);
  });
});
