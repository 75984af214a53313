import {
  Composer,
  isScalar,
  Lexer,
  LineCounter,
  Parser,
  visit,
  YAMLParseError,
  type CST,
  type Document,
  type Node,
} from 'yaml';
import { HpvsError } from '../errors.js';

/**
 * The one way hpvs-ctl reads YAML text (user data, sections, inventories, compose files, pod
 * specs, builder inputs), so every reader fails the same way on hostile text: one line,
 * `source:line:col: invalid YAML: ...`, code `YAML_INVALID`, and never one of yaml's own
 * exceptions (an alias bomb's ReferenceError) or a stack overflow. Load it with `await import()`.
 */

export interface ParsedYaml {
  source: string;
  lineCounter: LineCounter;
  /** `source:line:col` of an offset into the text. */
  at(offset: number): string;
}

export interface ParsedYamlDocument extends ParsedYaml {
  doc: Document.Parsed;
}

export interface ParsedYamlDocuments extends ParsedYaml {
  documents: Document.Parsed[];
}

export interface ParseYamlOptions {
  /**
   * Where an offset of the text is shown: the text's own line and column by default, the outer
   * file's for YAML held in a block string.
   */
  locate?: (offset: number, lineCounter: LineCounter) => { line: number; col: number };
  /** What an error says the text is; `invalid YAML` by default. */
  what?: string;
}

/**
 * The deepest nesting of collections hpvs-ctl reads. yaml composes documents recursively and
 * overflows the stack near 800 levels (fewer when called deep in a command), and so would every
 * walk over the parsed tree; no contract, compose file or pod spec comes near this.
 */
export const MAX_YAML_DEPTH = 256;

/** Parses text that must hold one document (a second one is a syntax error). */
export function parseYamlDocument(
  text: string,
  source: string,
  options: ParseYamlOptions = {},
): ParsedYamlDocument {
  const lineCounter = new LineCounter();
  const tokens = syntaxTokens(text, source, lineCounter, options.locate, options.what);
  const at = atOf(source, lineCounter, options.locate);
  // what yaml's parseDocument does after its parser, on the tokens already parsed
  let doc: Document.Parsed | undefined;
  for (const next of new Composer({ ...COMPOSE_OPTIONS, lineCounter }).compose(
    tokens,
    true,
    text.length,
  )) {
    if (doc === undefined) {
      doc = next;
    } else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  // compose(..., forceDoc = true) always ends with a document
  if (doc === undefined) throw new Error('yaml composed no document');
  const parsed = { source, lineCounter, at };
  failOnFirstError(parsed, [doc], options.what);
  return { ...parsed, doc };
}

/** Parses a stream of `---`-separated documents; empty text gives none. */
export function parseYamlDocuments(text: string, source: string): ParsedYamlDocuments {
  const lineCounter = new LineCounter();
  const tokens = syntaxTokens(text, source, lineCounter, undefined);
  const at = atOf(source, lineCounter);
  // what yaml's parseAllDocuments does after its parser, on the tokens already parsed
  const documents = Array.from(new Composer({ ...COMPOSE_OPTIONS, lineCounter }).compose(tokens));
  const parsed = { source, lineCounter, at };
  failOnFirstError(parsed, documents);
  return { ...parsed, documents };
}

/**
 * The plain value of a document, or of one node of it. Aliases that would expand to too many
 * nodes (yaml's guard against a "billion laughs" alias bomb throws a ReferenceError) fail as
 * `YAML_INVALID` at the first alias.
 */
export function yamlValue(
  parsed: Pick<ParsedYaml, 'source' | 'lineCounter'> & Partial<Pick<ParsedYaml, 'at'>>,
  doc: Document,
  node?: Node | null,
): unknown {
  try {
    if (node === undefined) return doc.toJS() as unknown;
    return node === null ? null : (node.toJS(doc) as unknown);
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let offset = 0;
    visit(node ?? doc, {
      Alias(_, alias) {
        offset = alias.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    throw new HpvsError(
      'YAML_INVALID',
      `${(parsed.at ?? atOf(parsed.source, parsed.lineCounter))(offset)}: invalid YAML: its aliases expand to too many nodes (an alias bomb?); write the values out instead of repeating anchors`,
      { cause: error },
    );
  }
}

// yaml's own uniqueKeys is quadratic: failOnDuplicateKey checks the same rule
const COMPOSE_OPTIONS = { prettyErrors: false, uniqueKeys: false } as const;

/**
 * The concrete syntax of the text, refusing text nested deeper than MAX_YAML_DEPTH before yaml
 * composes it. yaml's lexer and concrete-syntax parser are iterative: one linear pass over them
 * sees the depth (the parser's stack of open collections) without recursing, and its tokens are
 * what the composer takes, so the text is lexed and parsed once. `lineCounter` gets the line
 * starts, as yaml's `Parser.parse()` gives them.
 */
function syntaxTokens(
  text: string,
  source: string,
  lineCounter: LineCounter,
  locate: ParseYamlOptions['locate'],
  what = 'invalid YAML',
): CST.Token[] {
  // Parser.parse() would mark where the first line starts; next() leaves that to its caller
  lineCounter.addNewLine(0);
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // the stack holds the document, then one entry per open collection
    if (parser.stack.length - 1 > MAX_YAML_DEPTH) {
      const offset = parser.stack[parser.stack.length - 1]!.offset;
      throw new HpvsError(
        'YAML_INVALID',
        `${atOf(source, lineCounter, locate)(offset)}: ${what}: nested deeper than ${MAX_YAML_DEPTH} levels`,
      );
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

function atOf(
  source: string,
  lineCounter: LineCounter,
  locate: ParseYamlOptions['locate'] = (offset, counter) => counter.linePos(offset),
): (offset: number) => string {
  return (offset) => {
    const { line, col } = locate(offset, lineCounter);
    return `${source}:${line}:${col}`;
  };
}

function failOnFirstError(
  parsed: ParsedYaml,
  documents: readonly Document.Parsed[],
  what = 'invalid YAML',
): void {
  for (const doc of documents) {
    const first = doc.errors[0];
    if (first === undefined) {
      failOnDuplicateKey(parsed, doc, what);
      continue;
    }
    // one line, without the position yaml adds itself when its limits (nesting depth) are hit
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
    throw new HpvsError('YAML_INVALID', `${parsed.at(first.pos[0])}: ${what}: ${message}`);
  }
}

/**
 * yaml's own `uniqueKeys` compares each key with every earlier one of its mapping, so a
 * mapping of 40,000 keys takes minutes; this is the same rule (equal scalar values, or the same
 * node) with one set per mapping.
 */
function failOnDuplicateKey(parsed: ParsedYaml, doc: Document.Parsed, what: string): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const offset = (pair.key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
          throw new HpvsError(
            'YAML_INVALID',
            `${parsed.at(offset)}: ${what}: Map keys must be unique`,
          );
        }
        seen.add(key);
      }
    },
  });
}
