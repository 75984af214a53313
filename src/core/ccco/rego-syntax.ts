import { HpvsError } from '../errors.js';

/**
 * A parser for Rego modules (OPA v1 syntax, and the v0 forms without `if`), enough to prove
 * that a policy is well formed: package, imports, rules (default, functions, partial sets and
 * objects, else chains) and bodies of expressions over refs, calls, literals, collections and
 * comprehensions. It checks syntax only; there is no OPA here to type-check or evaluate.
 * What it accepts is what the generator emits and the usual shapes of Kata agent policies;
 * anything it cannot read is reported at `line:col`.
 */

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'newline' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  col: number;
}

const OPERATORS = [
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '|',
  '&',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  '.',
  ':',
  ';',
];
const KEYWORDS = new Set([
  'package',
  'import',
  'default',
  'if',
  'else',
  'not',
  'some',
  'every',
  'in',
  'with',
  'as',
  'contains',
]);

export class RegoSyntaxError extends HpvsError {
  constructor(
    readonly line: number,
    readonly col: number,
    detail: string,
  ) {
    super('POLICY_INVALID', `${line}:${col}: ${detail}`);
  }
}

// sticky: matched in place, so long inputs are not copied once per token
const NUMBER = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Deeper nesting than any real policy; the bound keeps hostile input off the call stack's limit. */
const MAX_DEPTH = 200;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (
    kind: TokenKind,
    text: string,
    start: number,
    startLine = line,
    startCol = start - lineStart + 1,
  ) => tokens.push({ kind, text, line: startLine, col: startCol });
  const fail = (detail: string): never => {
    throw new RegoSyntaxError(line, i - lineStart + 1, detail);
  };
  while (i < source.length) {
    const char = source[i]!;
    if (char === '\n') {
      push('newline', '\n', i);
      i++;
      line++;
      lineStart = i;
    } else if (char === ' ' || char === '\t' || char === '\r') {
      i++;
    } else if (char === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (char === '"') {
      const start = i;
      i++;
      while (source[i] !== '"') {
        if (i >= source.length || source[i] === '\n') fail('unterminated string');
        const code = source.charCodeAt(i);
        if (code < 0x20) fail('control character in a string; escape it');
        if (source[i] === '\\') {
          const next = source[i + 1];
          if (next === 'u') {
            if (!/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) fail('bad \\u escape');
            i += 6;
            continue;
          }
          if (next === undefined || !'"\\/bfnrt'.includes(next)) fail(`bad escape \\${next ?? ''}`);
          i += 2;
          continue;
        }
        i++;
      }
      i++;
      push('string', source.slice(start, i), start);
    } else if (char === '`') {
      const start = i;
      const startLine = line;
      const startCol = i - lineStart + 1;
      i++;
      while (source[i] !== '`') {
        if (i >= source.length) fail('unterminated raw string');
        if (source[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      i++;
      push('string', source.slice(start, i), start, startLine, startCol);
    } else if (/[0-9]/.test(char)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source)!;
      push('number', match[0], i);
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      IDENT.lastIndex = i;
      const match = IDENT.exec(source)!;
      push('ident', match[0], i);
      i += match[0].length;
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (op === undefined) fail(`unexpected character ${JSON.stringify(char)}`);
      push('op', op!, i);
      i += op!.length;
    }
  }
  push('eof', '', i);
  return tokens;
}

const INFIX = new Set([
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '|',
  '&',
  '=',
  ':=',
  'in',
]);

class Parser {
  private position = 0;
  /** Depth of ( and [ : newlines inside them are not statement ends. */
  private nesting = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    let index = this.position;
    let seen = 0;
    for (;;) {
      const token = this.tokens[index]!;
      if (token.kind === 'eof') return token;
      if (token.kind === 'newline' && this.nesting > 0) {
        index++;
        continue;
      }
      if (seen === offset) return token;
      seen++;
      index++;
    }
  }

  private next(): Token {
    for (;;) {
      const token = this.tokens[this.position]!;
      if (token.kind !== 'eof') this.position++;
      if (token.kind === 'newline' && this.nesting > 0) continue;
      return token;
    }
  }

  private fail(token: Token, detail: string): never {
    throw new RegoSyntaxError(token.line, token.col, detail);
  }

  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === 'op' || token.kind === 'ident') && token.text === text;
  }

  private expect(text: string): Token {
    const token = this.next();
    if (token.text !== text || (token.kind !== 'op' && token.kind !== 'ident')) {
      this.fail(token, `expected ${JSON.stringify(text)}, found ${describe(token)}`);
    }
    return token;
  }

  private skipNewlines(): void {
    while (this.tokens[this.position]!.kind === 'newline') this.position++;
  }

  private endOfStatement(): void {
    const token = this.tokens[this.position]!;
    if (token.kind === 'newline' || token.kind === 'eof') return;
    if (token.kind === 'op' && (token.text === ';' || token.text === '}')) return;
    this.fail(token, `expected the end of the line, found ${describe(token)}`);
  }

  module(): void {
    this.skipNewlines();
    this.expect('package');
    this.ref();
    this.endOfStatement();
    this.skipNewlines();
    while (this.is('import')) {
      this.next();
      this.ref();
      if (this.is('as')) {
        this.next();
        this.variable();
      }
      this.endOfStatement();
      this.skipNewlines();
    }
    while (this.peek().kind !== 'eof') {
      this.rule();
      this.endOfStatement();
      this.skipNewlines();
    }
  }

  private rule(): void {
    if (this.is('default')) {
      this.next();
      this.ref();
      if (this.is('(')) this.arguments();
      if (!this.is('=') && !this.is(':='))
        this.fail(this.peek(), 'a default rule needs = or := and a value');
      this.next();
      this.term();
      return;
    }
    this.ruleHead();
    this.ruleBodies();
  }

  private ruleHead(): void {
    const start = this.peek();
    if (start.kind !== 'ident' || KEYWORDS.has(start.text))
      this.fail(start, `expected a rule, found ${describe(start)}`);
    this.ref();
    if (this.is('(')) this.arguments();
    if (this.is('contains')) {
      this.next();
      this.term();
    }
    if (this.is('=') || this.is(':=')) {
      this.next();
      this.term();
    }
  }

  private ruleBodies(): void {
    this.body();
    for (;;) {
      if (this.is('else')) {
        this.next();
        if (this.is('=') || this.is(':=')) {
          this.next();
          this.term();
        }
        this.body();
        continue;
      }
      // v0 incremental bodies: `p { a } { b }`
      if (this.is('{') && this.tokens[this.position]!.kind !== 'newline') {
        this.block();
        continue;
      }
      return;
    }
  }

  private body(): void {
    if (this.is('if')) {
      this.next();
      if (this.is('{')) this.block();
      else this.literal();
      return;
    }
    if (this.is('{') && this.tokens[this.position]!.kind !== 'newline') this.block();
  }

  private block(): void {
    this.expect('{');
    const saved = this.nesting;
    this.nesting = 0;
    this.skipNewlines();
    let statements = 0;
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek(), 'unclosed {');
      this.literal();
      statements++;
      this.endOfStatement();
      if (this.is(';')) this.next();
      this.skipNewlines();
    }
    if (statements === 0) this.fail(this.peek(), 'empty rule body');
    this.nesting = saved;
    this.expect('}');
  }

  private literal(): void {
    if (this.is('some')) {
      this.next();
      this.term();
      while (this.is(',')) {
        this.next();
        this.term();
      }
      if (this.is('in')) {
        this.next();
        this.expression(true);
      }
      return;
    }
    if (this.is('every')) {
      this.next();
      this.variable();
      if (this.is(',')) {
        this.next();
        this.variable();
      }
      this.expect('in');
      this.expression();
      this.block();
      return;
    }
    if (this.is('not')) this.next();
    this.expression();
    while (this.is('with')) {
      this.next();
      this.term();
      this.expect('as');
      this.term();
    }
  }

  /** `inCollection`: a `|` there starts a comprehension body, not a set union. */
  private expression(inCollection = false): void {
    this.term();
    while (
      !(inCollection && this.is('|')) &&
      this.peek().kind !== 'eof' &&
      INFIX.has(this.peek().text) &&
      this.peek().kind !== 'string'
    ) {
      this.next();
      this.term();
    }
  }

  private term(): void {
    if (++this.depth > MAX_DEPTH)
      this.fail(this.peek(), `nested more than ${MAX_DEPTH} levels deep`);
    try {
      this.termInner();
    } finally {
      this.depth--;
    }
  }

  private termInner(): void {
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number') {
      this.next();
      return;
    }
    if (token.kind === 'op' && token.text === '-') {
      this.next();
      this.term();
      return;
    }
    if (token.kind === 'op' && token.text === '(') {
      this.nested('(', ')', () => this.expression());
      this.suffixes();
      return;
    }
    if (token.kind === 'op' && token.text === '[') {
      this.collection('[', ']');
      this.suffixes();
      return;
    }
    if (token.kind === 'op' && token.text === '{') {
      this.collection('{', '}');
      return;
    }
    if (token.kind === 'ident' && !KEYWORDS.has(token.text)) {
      this.ref();
      if (this.is('(') && this.tokens[this.position]!.kind !== 'newline') {
        this.arguments();
        this.suffixes();
      }
      return;
    }
    this.fail(token, `expected a value, found ${describe(token)}`);
  }

  private suffixes(): void {
    while ((this.is('[') || this.is('.')) && this.tokens[this.position]!.kind !== 'newline') {
      if (this.is('.')) {
        this.next();
        this.variable();
      } else {
        this.nested('[', ']', () => this.expression());
      }
    }
  }

  private ref(): void {
    this.variable();
    this.suffixes();
  }

  private variable(): void {
    const token = this.next();
    if (token.kind !== 'ident' || (KEYWORDS.has(token.text) && token.text !== 'contains')) {
      this.fail(token, `expected a name, found ${describe(token)}`);
    }
  }

  private arguments(): void {
    this.nested('(', ')', () => {
      if (this.is(')')) return;
      this.expression();
      while (this.is(',')) {
        this.next();
        this.expression();
      }
    });
  }

  private nested(open: string, close: string, inner: () => void): void {
    this.expect(open);
    this.nesting++;
    inner();
    this.nesting--;
    this.expect(close);
  }

  /** Arrays, objects, sets and their comprehensions (`[x | body]`, `{k: v | body}`). */
  private collection(open: string, close: string): void {
    this.nested(open, close, () => {
      if (this.is(close)) return;
      this.expressionOrPair();
      if (this.is('|')) {
        this.next();
        this.literal();
        while (this.is(';')) {
          this.next();
          this.literal();
        }
        return;
      }
      while (this.is(',')) {
        this.next();
        if (this.is(close)) return;
        this.expressionOrPair();
      }
    });
  }

  private expressionOrPair(): void {
    this.expression(true);
    if (this.is(':')) {
      this.next();
      this.expression(true);
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the policy';
  if (token.kind === 'newline') return 'a line break';
  return JSON.stringify(token.text.length > 20 ? `${token.text.slice(0, 20)}...` : token.text);
}

/** Throws a `RegoSyntaxError` (code POLICY_INVALID, message `line:col: ...`) when malformed. */
export function parseRego(source: string): void {
  new Parser(tokenize(source)).module();
}
