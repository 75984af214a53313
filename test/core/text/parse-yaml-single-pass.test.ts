import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { HpvsError } from '../../../src/core/errors.js';
import { parseYamlDocument, parseYamlDocuments } from '../../../src/core/text/parse-yaml.js';

// parse-yaml.ts composes the tokens of its own depth-checking pass instead of letting yaml
// lex and parse the text a second time: what it gives must be what yaml's parse functions give.
const DUPLICATE_KEY = 'a: 1\na: 2\n';
const TEXTS = [
  '',
  '# only a comment\n',
  'type: workload\ncompose:\n  archive: abc\n',
  '%YAML 1.2\n---\na: [1, 2, {b: c}]\n...\n',
  'a: 1\n---\nb: 2\n',
  'a: &x [1, 2]\nb: *x\nc: !!str 3\n',
  'a: b: c\n',
  'a:\n  - 1\n - 2\n',
  'key: "unterminated\n',
  DUPLICATE_KEY,
  '--- |\n  text\n\n',
  '- [\n',
  'x: 1\n...\n--- y\n',
  'k: \t\n  v\n',
];

function shape(doc: Document.Parsed) {
  return {
    value: JSON.stringify(doc.toJS()),
    errors: doc.errors.map((error) => [error.code, error.message, error.pos]),
    warnings: doc.warnings.map((warning) => [warning.code, warning.message, warning.pos]),
    range: doc.range,
    contentsRange: doc.contents?.range,
    directives: doc.directives?.yaml,
  };
}

function lines(counter: LineCounter) {
  return counter.lineStarts;
}

describe('parse-yaml composes what yaml parses', () => {
  for (const text of TEXTS) {
    it(`one document: ${JSON.stringify(text)}`, () => {
      const lineCounter = new LineCounter();
      const expected = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
      let ours;
      try {
        ours = parseYamlDocument(text, 'in.yaml');
      } catch (error) {
        // an invalid text fails on yaml's first error, which must be the one yaml reports
        expect(error).toBeInstanceOf(HpvsError);
        // hpvs-ctl's own rule, on a text yaml accepts with uniqueKeys off
        if (text === DUPLICATE_KEY) return expect((error as Error).message).toMatch(/unique/);
        expect(expected.errors.length).toBeGreaterThan(0);
        const pos = lineCounter.linePos(expected.errors[0]!.pos[0]);
        expect((error as Error).message).toContain(`in.yaml:${pos.line}:${pos.col}:`);
        return;
      }
      expect(shape(ours.doc)).toEqual(shape(expected));
      expect(lines(ours.lineCounter)).toEqual(lines(lineCounter));
    });
    it(`a stream: ${JSON.stringify(text)}`, () => {
      const lineCounter = new LineCounter();
      const expected = Array.from(
        parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false }),
      );
      let ours;
      try {
        ours = parseYamlDocuments(text, 'in.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(HpvsError);
        if (text === DUPLICATE_KEY) return expect((error as Error).message).toMatch(/unique/);
        expect(expected.some((doc) => doc.errors.length > 0)).toBe(true);
        return;
      }
      expect(ours.documents.map(shape)).toEqual(expected.map(shape));
      expect(lines(ours.lineCounter)).toEqual(lines(lineCounter));
    });
  }
});
