import { describe, expect, it } from 'vitest';
import {
  generateSectionPassword,
  opensslPasswordView,
  SECTION_PASSWORD_LENGTH,
} from '../../../src/core/crypto/section-password.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const FORBIDDEN = [0x00, 0x0a, 0x0d];

describe('generateSectionPassword', () => {
  const COUNT = 100_000;
  const counts = new Array<number>(256).fill(0);
  const random = seededRandom('section-password');
  for (let i = 0; i < COUNT; i++) {
    const password = generateSectionPassword(random);
    if (password.length !== SECTION_PASSWORD_LENGTH) throw new Error(`length ${password.length}`);
    for (const byte of password) counts[byte]!++;
  }

  it(`never emits 0x00, 0x0A or 0x0D in ${COUNT} passwords of 32 bytes`, () => {
    expect(FORBIDDEN.map((byte) => counts[byte])).toEqual([0, 0, 0]);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(COUNT * 32);
  });

  it('uses every one of the 253 other byte values, without obvious bias', () => {
    const allowed = counts.filter((_, byte) => !FORBIDDEN.includes(byte));
    expect(allowed.every((count) => count > 0)).toBe(true);
    // Pearson's chi-square over 253 values (252 degrees of freedom: mean 252, sd about 22.4).
    // The source is seeded, so this is a fixed number, not a flaky one; a modulo bias such as
    // `byte % 253` would put it in the thousands.
    const expected = (COUNT * 32) / 253;
    const chiSquare = allowed.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(252 + 6 * 22.4);
  });

  it('rejects forbidden bytes instead of mapping them, drawing more when needed', () => {
    let served = 0;
    const hostile = (length: number) => {
      // Mostly forbidden bytes, then a counter: only rejection sampling gets through this.
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++)
        bytes[i] = i % 4 === 3 ? 0x20 + (served++ % 90) : FORBIDDEN[i % 3]!;
      return bytes;
    };
    const password = generateSectionPassword(hostile);
    expect([...password]).toEqual(Array.from({ length: 32 }, (_, i) => 0x20 + i));
  });
});

describe('opensslPasswordView', () => {
  const cases: Array<[string, number[], number]> = [
    ['no 0x0A or 0x00: all 32 bytes', [], 32],
    ['0x0A first: empty', [0], 0],
    ['0x0A at 14: 14 bytes', [14], 14],
    ['0x0A last: 31 bytes', [31], 31],
  ];
  it.each(cases)('%s', (_, newlineAt, length) => {
    const password = new Uint8Array(32).fill(0x41);
    for (const position of newlineAt) password[position] = 0x0a;
    expect(opensslPasswordView(password)).toEqual(password.subarray(0, length));
  });

  it('cuts at the first of 0x00 and 0x0A, and keeps 0x0D', () => {
    expect([...opensslPasswordView(Uint8Array.of(1, 0, 2, 0x0a))]).toEqual([1]);
    expect([...opensslPasswordView(Uint8Array.of(1, 0x0a, 2, 0))]).toEqual([1]);
    expect([...opensslPasswordView(Uint8Array.of(0x0d, 1, 0x0d))]).toEqual([0x0d, 1, 0x0d]);
  });

  it('leaves generated passwords whole', () => {
    const random = seededRandom('view');
    for (let i = 0; i < 1000; i++) {
      const password = generateSectionPassword(random);
      expect(opensslPasswordView(password).length).toBe(32);
    }
  });
});
