import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openWithEmptyPassword } from '../../../src/core/crypto/empty-password.js';
import { opensslEncrypt } from '../../../src/core/crypto/openssl-enc.js';

// what sections hold: YAML text, possibly non-ASCII, never control characters
const sectionText = fc
  .array(fc.constantFrom(...'type: env\n\t-|"0123456789abcXYZé€✓'), { maxLength: 200 })
  .map((chars) => chars.join(''));

describe('openWithEmptyPassword', () => {
  it('opens any section text encrypted under the empty password', () => {
    fc.assert(
      fc.property(sectionText, fc.uint8Array({ minLength: 8, maxLength: 8 }), (text, salt) => {
        const data = opensslEncrypt(Buffer.from(text), new Uint8Array(0), salt);
        expect(openWithEmptyPassword(data)?.toString('utf8')).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it('never reports data under a non-empty password, although 1 in 256 has valid padding', () => {
    // 600 runs: a padding check alone would flag about two of them
    fc.assert(
      fc.property(
        sectionText,
        // all-zero passwords excluded: they are the empty password (next test)
        fc
          .uint8Array({ minLength: 1, maxLength: 32 })
          .filter((password) => password.some((byte) => byte !== 0)),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (text, password, salt) => {
          expect(openWithEmptyPassword(opensslEncrypt(Buffer.from(text), password, salt))).toBe(
            undefined,
          );
        },
      ),
      { numRuns: 600 },
    );
  });

  it('reports data under a password of zero bytes, which HMAC pads into the empty password', () => {
    const salt = new Uint8Array(8).fill(7);
    for (const length of [1, 8, 32]) {
      const data = opensslEncrypt(Buffer.from('type: env\n'), new Uint8Array(length), salt);
      expect(openWithEmptyPassword(data)?.toString('utf8')).toBe('type: env\n');
    }
  });

  it('returns undefined for data that is not in the openssl format', () => {
    expect(openWithEmptyPassword(Buffer.from('not salted'))).toBeUndefined();
  });
});
