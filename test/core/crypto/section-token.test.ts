import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSectionToken,
  looksLikeSectionToken,
  parseSectionToken,
  TOKEN_PREFIXES,
  type SectionToken,
} from '../../../src/core/crypto/section-token.js';
import { HpvsError } from '../../../src/core/errors.js';

const token = fc.record({
  prefix: fc.constantFrom(...TOKEN_PREFIXES),
  wrappedPassword: fc
    .uint8Array({ minLength: 1, maxLength: 600 })
    .map((bytes) => Buffer.from(bytes)),
  encryptedData: fc.uint8Array({ minLength: 1, maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
}) as fc.Arbitrary<SectionToken>;

function malformed(text: string): string {
  try {
    parseSectionToken(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HpvsError);
    expect((error as HpvsError).code).toBe('TOKEN_MALFORMED');
    return (error as HpvsError).message;
  }
  throw new Error('expected TOKEN_MALFORMED');
}

/** Inserts whitespace, line breaks included, at random places, as editors and YAML folding do. */
function wrap(text: string, cuts: number[], spaces: string[]): string {
  const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  let result = '';
  let last = 0;
  positions.forEach((position, i) => {
    result += text.slice(last, position) + spaces[i % spaces.length];
    last = position;
  });
  return result + text.slice(last);
}

describe('section token', () => {
  it('formats on one line and parses back to the same parts', () => {
    fc.assert(
      fc.property(token, (parts) => {
        const text = formatSectionToken(parts);
        expect(text).toMatch(
          /^(hyper-protect-basic|contract-basic)\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/,
        );
        expect(parseSectionToken(text)).toEqual(parts);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('tolerates surrounding whitespace and base64 wrapped over several lines', () => {
    fc.assert(
      fc.property(
        token,
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.array(fc.constantFrom(' ', '\n', '\r\n', '\t', '\n  '), { minLength: 1, maxLength: 5 }),
        (parts, cuts, spaces) => {
          const text = `\n  ${wrap(formatSectionToken(parts), cuts, spaces)}\n\n`;
          expect(parseSectionToken(text)).toEqual(parts);
        },
      ),
      { numRuns: 300, seed: 4 },
    );
  });

  it('says what is wrong with a malformed token', () => {
    expect(malformed('')).toContain('empty');
    expect(malformed('  \n ')).toContain('empty');
    expect(malformed('hyper-protect-basic-AAAA.BBBB')).toContain('expected it to start with');
    expect(malformed('plain: yaml\n')).toContain('found "plain:yaml"');
    expect(malformed('hyper-protect-basic.QUJD')).toContain('3 dot-separated parts), found 2');
    expect(malformed('hyper-protect-basic.QUJD.QUJD.QUJD')).toContain('found 4');
    expect(malformed('hyper-protect-basic..QUJD')).toContain('password part is empty');
    expect(malformed('contract-basic.QUJD.')).toContain('data part is empty');
    expect(malformed('hyper-protect-basic.QUJD.QUJ')).toContain('data part is not valid base64');
    expect(malformed('hyper-protect-basic.QU*D.QUJD')).toContain(
      'password part is not valid base64',
    );
    expect(malformed('hyper-protect-basic.QUJD.QU=D')).toContain('not valid base64');
    expect(malformed('hyper-protect-basic.QUJD.QUJD_-')).toContain('not valid base64');
  });

  it('does not echo control characters of a foreign input', () => {
    expect(malformed('\u0001\u0002garbage')).toContain('"??garbage"');
  });

  it('recognises both prefixes', () => {
    expect(looksLikeSectionToken('  hyper-protect-basic.AAAA.BBBB')).toBe(true);
    expect(looksLikeSectionToken('contract-basic.AAAA.BBBB')).toBe(true);
    expect(looksLikeSectionToken('type: workload')).toBe(false);
  });
});
