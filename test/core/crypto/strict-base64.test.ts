import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContractSignature } from '../../../src/core/crypto/contract-signature.js';
import { formatSectionToken, parseSectionToken } from '../../../src/core/crypto/section-token.js';
import { isStrictBase64 } from '../../../src/core/crypto/strict-base64.js';

/** The definition the scanner replaces (fine on short text, overflows V8's stack near 8 MB). */
const DEFINITION = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SIXTEEN_MB = 16 * 1024 * 1024;

describe('isStrictBase64', () => {
  it('agrees with the regular definition on every short string over a tricky alphabet', () => {
    const text = fc
      .array(fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', ' ', '\n', 'é'), {
        maxLength: 14,
      })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, (candidate) => isStrictBase64(candidate) === DEFINITION.test(candidate)),
      { numRuns: 20_000 },
    );
  });

  it('accepts what Buffer writes for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) =>
        isStrictBase64(Buffer.from(bytes).toString('base64')),
      ),
    );
  });

  it('answers for 16 MB without overflowing the stack (the regular expression does not)', () => {
    const valid = Buffer.alloc((SIXTEEN_MB / 4) * 3, 0x5a).toString('base64');
    expect(() => DEFINITION.test(valid)).toThrow(RangeError);
    expect(isStrictBase64(valid)).toBe(true);
    expect(isStrictBase64(`${valid.slice(0, -1)}-`)).toBe(false);
    expect(isStrictBase64(`${valid}A`)).toBe(false);
  });
});

describe('the places that decode base64 take 16 MB', () => {
  const big = Buffer.alloc((SIXTEEN_MB / 4) * 3, 0x5a);

  it('parseSectionToken decodes a 16 MB data part, and says when one byte breaks it', () => {
    const token = formatSectionToken({
      prefix: 'hyper-protect-basic',
      wrappedPassword: Buffer.alloc(256, 1),
      encryptedData: big,
    });
    expect(parseSectionToken(token).encryptedData.equals(big)).toBe(true);
    expect(() => parseSectionToken(`${token.slice(0, -2)}*=`)).toThrow(
      'the data part is not valid base64',
    );
  });

  it('decodeContractSignature decodes a 16 MB (folded) value', () => {
    const folded = big.toString('base64').replace(/(.{76})/g, '$1\n');
    expect(decodeContractSignature(folded).equals(big)).toBe(true);
  });
});
