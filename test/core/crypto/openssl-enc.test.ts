import { readFileSync } from 'node:fs';
import { pbkdf2Sync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aes256CbcDecrypt,
  aes256CbcEncrypt,
  OPENSSL_MAGIC,
  opensslDecrypt,
  opensslEncrypt,
} from '../../../src/core/crypto/openssl-enc.js';
import { expectGenericDecryptionFailure } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, referencePath } from '../../helpers/reference.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const salt = Buffer.from('0011223344556677', 'hex');

describe('opensslEncrypt / opensslDecrypt', () => {
  it('round-trips any bytes under any password and salt', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (plaintext, password, randomSalt) => {
          const sealed = opensslEncrypt(plaintext, password, randomSalt);
          expect(opensslDecrypt(sealed, password)).toEqual(Buffer.from(plaintext));
        },
      ),
      { numRuns: 120, seed: 11 },
    );
  });

  it('lays out Salted__, the salt, then whole AES blocks with PKCS#7 padding', () => {
    for (const length of [0, 1, 15, 16, 17]) {
      const sealed = opensslEncrypt(new Uint8Array(length), Buffer.from('pw'), salt);
      expect(sealed.subarray(0, 8)).toEqual(OPENSSL_MAGIC);
      expect(sealed.subarray(8, 16)).toEqual(salt);
      expect(sealed.length - 16).toBe((Math.floor(length / 16) + 1) * 16);
    }
  });

  it('derives key and IV with PBKDF2-HMAC-SHA256, 10,000 iterations, 48 bytes', () => {
    const password = Buffer.from('correct horse');
    const material = pbkdf2Sync(password, salt, 10_000, 48, 'sha256');
    const sealed = opensslEncrypt(Buffer.from('section'), password, salt);
    expect(sealed.subarray(16)).toEqual(
      aes256CbcEncrypt(Buffer.from('section'), material.subarray(0, 32), material.subarray(32)),
    );
  });

  it.skipIf(!hasTool('openssl'))('matches `openssl enc -S <salt>` byte for byte', () => {
    const plaintext = Buffer.from('type: env\nlogging: {}\n');
    const result = runTool(
      'openssl',
      ['enc', '-aes-256-cbc', '-pbkdf2', '-S', salt.toString('hex'), '-pass', 'pass:secret'],
      plaintext,
    );
    expect(result.status).toBe(0);
    // openssl 3 omits the Salted__ header when the salt is given on the command line.
    const expected = opensslEncrypt(plaintext, Buffer.from('secret'), salt).subarray(16);
    expect(result.stdout.subarray(-expected.length)).toEqual(expected);
    expect([0, 16]).toContain(result.stdout.length - expected.length);
  });

  it('refuses a salt that is not 8 bytes', () => {
    expect(() => opensslEncrypt(new Uint8Array(1), new Uint8Array(1), new Uint8Array(7))).toThrow(
      RangeError,
    );
  });

  it('fails generically on a wrong password, bad magic, truncation and a partial block', () => {
    const sealed = opensslEncrypt(Buffer.from('hello, world: 1\n'), Buffer.from('right'), salt);
    // With this salt and password the wrong key's last block has invalid padding.
    expectGenericDecryptionFailure(() => opensslDecrypt(sealed, Buffer.from('wrong')));
    const badMagic = Buffer.from(sealed);
    badMagic[0] = 0x54;
    expectGenericDecryptionFailure(() => opensslDecrypt(badMagic, Buffer.from('right')));
    expectGenericDecryptionFailure(() =>
      opensslDecrypt(sealed.subarray(0, 16), Buffer.from('right')),
    );
    expectGenericDecryptionFailure(() =>
      opensslDecrypt(sealed.subarray(0, sealed.length - 1), Buffer.from('right')),
    );
    expectGenericDecryptionFailure(() =>
      opensslDecrypt(sealed.subarray(0, 10), Buffer.from('right')),
    );
    expectGenericDecryptionFailure(() => opensslDecrypt(new Uint8Array(0), Buffer.from('right')));
  });

  it('reads its input through a view without copying offsets wrongly', () => {
    const sealed = opensslEncrypt(Buffer.from('abc'), Buffer.from('pw'), salt);
    const framed = new Uint8Array(sealed.length + 10);
    framed.set(sealed, 5);
    expect(opensslDecrypt(framed.subarray(5, 5 + sealed.length), Buffer.from('pw'))).toEqual(
      Buffer.from('abc'),
    );
  });
});

interface AesVectors {
  testGroups: Array<{
    keySize: number;
    tests: Array<{
      tcId: number;
      comment: string;
      key: string;
      iv: string;
      msg: string;
      ct: string;
      result: string;
    }>;
  }>;
}

/**
 * Wycheproof's AES-CBC-PKCS5 vectors, for the AES layer below the password format. Only the
 * 256-bit group applies: the openssl format hpvs-ctl implements is aes-256-cbc.
 */
describe.skipIf(!HAS_REFERENCE)('Wycheproof aes_cbc_pkcs5_test.json (256-bit keys)', () => {
  const file = HAS_REFERENCE
    ? (JSON.parse(
        readFileSync(referencePath('wycheproof', 'aes_cbc_pkcs5_test.json'), 'utf8'),
      ) as AesVectors)
    : { testGroups: [] };
  const tests = file.testGroups
    .filter((group) => group.keySize === 256)
    .flatMap((group) => group.tests);
  const hex = (text: string) => Buffer.from(text, 'hex');

  it('has the expected vectors and nothing "acceptable"', () => {
    expect(tests.filter((test) => test.result === 'valid').length).toBe(24);
    expect(tests.filter((test) => test.result === 'invalid').length).toBe(48);
  });

  it.each(
    tests.filter((test) => test.result === 'valid').map((test) => [test.tcId, test] as const),
  )('tcId %i encrypts to ct and decrypts to msg', (_, test) => {
    expect(aes256CbcEncrypt(hex(test.msg), hex(test.key), hex(test.iv)).toString('hex')).toBe(
      test.ct,
    );
    expect(aes256CbcDecrypt(hex(test.ct), hex(test.key), hex(test.iv)).toString('hex')).toBe(
      test.msg,
    );
  });

  it.each(
    tests
      .filter((test) => test.result === 'invalid')
      .map((test) => [test.tcId, test.comment, test] as const),
  )('tcId %i (%s) fails with the generic error', (_, __, test) => {
    expectGenericDecryptionFailure(() =>
      aes256CbcDecrypt(hex(test.ct), hex(test.key), hex(test.iv)),
    );
  });
});
