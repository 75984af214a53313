import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSelfReadingToken } from '../../../src/core/contract/assemble-contract.js';
import { formatSectionToken, TOKEN_PREFIXES } from '../../../src/core/crypto/section-token.js';
import { parseUserData } from '../../../src/core/contract/user-data.js';

/**
 * `assembleContract` signs hpvs-ctl's own tokens as they are written, without parsing user-data
 * again, because such a token reads back from YAML as exactly itself. That premise is checked
 * here for any bytes; a token wrapped over lines (as a token file may hold it) is not taken for
 * one, and goes through the parse.
 */

const token = fc
  .record({
    prefix: fc.constantFrom(...TOKEN_PREFIXES),
    wrappedPassword: fc.uint8Array({ minLength: 0, maxLength: 600 }),
    encryptedData: fc.uint8Array({ minLength: 0, maxLength: 600 }),
  })
  .map(({ prefix, wrappedPassword, encryptedData }) =>
    formatSectionToken({
      prefix,
      wrappedPassword: Buffer.from(wrappedPassword),
      encryptedData: Buffer.from(encryptedData),
    }),
  );

describe('tokens hpvs-ctl writes read back from user-data as themselves', () => {
  it('for any bytes and either prefix, where the pattern accepts the token', () => {
    fc.assert(
      fc.property(token, token, (workload, env) => {
        if (!isSelfReadingToken(workload) || !isSelfReadingToken(env)) return;
        const parsed = parseUserData(`workload: ${workload}\nenv: ${env}\n`, 'user-data');
        expect(parsed.sections.get('workload')!.value).toBe(workload);
        expect(parsed.sections.get('env')!.value).toBe(env);
      }),
      { numRuns: 300 },
    );
  });

  it('the pattern accepts every token with data in both parts, and no wrapped token', () => {
    fc.assert(
      fc.property(token, (value) => {
        const [, password, data] = value.split('.');
        expect(isSelfReadingToken(value)).toBe(password !== '' && data !== '');
        const wrapped = value.replace(/(.{64})/g, '$1\n  ');
        if (wrapped !== value) expect(isSelfReadingToken(wrapped)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
