import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesForTerminal,
  jsonForTerminal,
  terminalSafe,
  terminalSafeLines,
  terminalSafeStrings,
} from '../../../src/core/text/terminal-safe-text.js';

/** Every code point a terminal may act on or that reorders text. */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

describe('terminalSafe', () => {
  it('escapes ANSI sequences, C1 controls, DEL, newlines and bidi overrides visibly', () => {
    expect(terminalSafe('ok\u001b[1A\u001b[2Kverdict: OK')).toBe('ok\\x1b[1A\\x1b[2Kverdict: OK');
    expect(terminalSafe('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(terminalSafe('\u009b31m\u007f\u0000')).toBe('\\x9b31m\\x7f\\x00');
    expect(terminalSafe('abc\u202egnp.exe\u2066x\u2069')).toBe('abc\\u202egnp.exe\\u2066x\\u2069');
    expect(terminalSafe('line\u2028sep \ud800 lone')).toBe('line\\u2028sep \\ud800 lone');
  });

  it('keeps printable text, including non-ASCII letters and emoji, unchanged', () => {
    expect(terminalSafe('Zürich – 東京 🚀 "quoted" \\ path/to/file')).toBe(
      'Zürich – 東京 🚀 "quoted" \\ path/to/file',
    );
  });

  it('never leaves an unsafe character, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const safe = terminalSafe(text);
        expect(UNSAFE.test(safe)).toBe(false);
        expect(terminalSafe(safe)).toBe(safe);
      }),
    );
  });
});

describe('terminalSafeLines', () => {
  it("keeps the report's own newlines and escapes everything else", () => {
    expect(terminalSafeLines('PASS a\r\nFAIL \u001b[32mb\n')).toBe('PASS a\\r\nFAIL \\x1b[32mb\n');
  });
});

describe('terminalSafeStrings', () => {
  it('escapes every string of plain objects and arrays, leaving bytes and dates alone', () => {
    const bytes = Buffer.from('\u001b');
    const date = new Date(0);
    const escaped = terminalSafeStrings({
      name: 'a\u001bb',
      list: [{ detail: 'x\ny' }, 3, null],
      bytes,
      date,
    });
    expect(escaped).toEqual({ name: 'a\\x1bb', list: [{ detail: 'x\\ny' }, 3, null], bytes, date });
    expect(escaped.bytes).toBe(bytes);
  });
});

describe('jsonForTerminal', () => {
  it('escapes C1 controls and bidi characters as \\u escapes that parse back to the same value (property)', () => {
    expect(jsonForTerminal({ a: '\u009b\u202e\u001b' })).toBe(
      '{\n  "a": "\\u009b\\u202e\\u001b"\n}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), (value, text) => {
        const json = jsonForTerminal({ value, text });
        expect(UNSAFE.test(json.replace(/\n/g, ''))).toBe(false);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify({ value, text })));
      }),
    );
  });
});

describe('bytesForTerminal', () => {
  it('shows undecodable bytes as \\xNN and valid UTF-8 as text', () => {
    expect(bytesForTerminal(Buffer.from([0x66, 0xff, 0x2e, 0x79]))).toBe('f\\xff.y');
    expect(bytesForTerminal(Buffer.from('é€😀', 'utf8'))).toBe('é€😀');
    // overlong, surrogate and truncated sequences are not UTF-8
    expect(bytesForTerminal(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]))).toBe(
      '\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82',
    );
    expect(bytesForTerminal(Buffer.from('a\n\u001bb'))).toBe('a\\n\\x1bb');
    expect(bytesForTerminal(Buffer.from('a\n\u001bb'), { lines: true })).toBe('a\n\\x1bb');
  });

  it('agrees with the UTF-8 decoder on valid input and never leaves an unsafe character (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const shown = bytesForTerminal(bytes);
        expect(UNSAFE.test(shown)).toBe(false);
        const decoded = Buffer.from(bytes).toString('utf8');
        if (Buffer.from(decoded, 'utf8').equals(Buffer.from(bytes))) {
          expect(shown).toBe(terminalSafe(decoded));
        } else {
          expect(shown).toMatch(/\\x[89a-f][0-9a-f]/);
        }
      }),
    );
  });
});
