import { readFileSync } from 'node:fs';
import {
  constants,
  createPrivateKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rsaDecryptPkcs1v15, rsaEncryptPkcs1v15 } from '../../../src/core/crypto/rsa-pkcs1-v15.js';
import { expectGenericDecryptionFailure } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { seededRandom } from '../../helpers/seeded-random.js';

interface WycheproofFile {
  testGroups: Array<{
    privateKeyPem: string;
    keySize: number;
    tests: Array<{
      tcId: number;
      comment: string;
      msg: string;
      ct: string;
      result: 'valid' | 'invalid' | 'acceptable';
      flags: string[];
    }>;
  }>;
}

if (!HAS_REFERENCE) console.warn(`skipping Wycheproof vectors: ${REFERENCE_SKIP_REASON}`);

describe.skipIf(!HAS_REFERENCE).each(['rsa_pkcs1_2048_test.json', 'rsa_pkcs1_4096_test.json'])(
  'Wycheproof %s',
  (name) => {
    const file = HAS_REFERENCE
      ? (JSON.parse(readFileSync(referencePath('wycheproof', name), 'utf8')) as WycheproofFile)
      : { testGroups: [] };
    const cases = file.testGroups.flatMap((group) => {
      const key = createPrivateKey(group.privateKeyPem);
      return group.tests.map((test) => ({ ...test, key }));
    });

    it('has the cases this test expects, and no "acceptable" ones to decide about', () => {
      // An "acceptable" case would need a policy; if a new file adds some, this fails first.
      expect(cases.filter((test) => test.result === 'acceptable')).toEqual([]);
      expect(cases.filter((test) => test.result === 'valid').length).toBeGreaterThan(40);
      expect(cases.filter((test) => test.result === 'invalid').length).toBeGreaterThan(24);
    });

    it.each(
      cases
        .filter((test) => test.result === 'valid')
        .map((test) => [test.tcId, test.comment, test] as const),
    )('tcId %i (%s) decrypts to msg', (_, __, test) => {
      const message = rsaDecryptPkcs1v15(test.key, Buffer.from(test.ct, 'hex'));
      expect(message.toString('hex')).toBe(test.msg);
    });

    it.each(
      cases
        .filter((test) => test.result === 'invalid')
        .map((test) => [test.tcId, test.comment, test] as const),
    )('tcId %i (%s) fails with the generic error', (_, __, test) => {
      expectGenericDecryptionFailure(() =>
        rsaDecryptPkcs1v15(test.key, Buffer.from(test.ct, 'hex')),
      );
    });
  },
);

describe('rsaEncryptPkcs1v15 / rsaDecryptPkcs1v15', () => {
  // 2048 bits keeps the property runs quick; the interop test uses 4096.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const k = 256;

  it('round-trips any message that fits (k - 11 bytes), with any padding randomness', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: k - 11 }), fc.string(), (message, seed) => {
        const ciphertext = rsaEncryptPkcs1v15(publicKey, message, seededRandom(seed));
        expect(ciphertext.length).toBe(k);
        expect(rsaDecryptPkcs1v15(privateKey, ciphertext)).toEqual(Buffer.from(message));
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('pads as RFC 8017 says: 00 02, at least 8 nonzero bytes, 00, message', () => {
    const message = Buffer.from('password');
    const ciphertext = rsaEncryptPkcs1v15(publicKey, message, seededRandom('layout'));
    // RSA_NO_PADDING is allowed on Node 20.20; only PKCS#1 v1.5 unpadding is blocked.
    const block = privateDecrypt(
      { key: privateKey, padding: constants.RSA_NO_PADDING },
      ciphertext,
    );
    expect([...block.subarray(0, 2)]).toEqual([0x00, 0x02]);
    const padding = block.subarray(2, k - message.length - 1);
    expect(padding.length).toBe(k - message.length - 3);
    expect(padding.includes(0)).toBe(false);
    expect(block[k - message.length - 1]).toBe(0);
    expect(block.subarray(k - message.length)).toEqual(message);
  });

  it('skips zero bytes of the random source instead of using them as padding', () => {
    let calls = 0;
    const mostlyZero = (length: number) => {
      calls++;
      return new Uint8Array(length).map((_, i) => (i % 3 === 0 ? 0x5a : 0));
    };
    const ciphertext = rsaEncryptPkcs1v15(publicKey, Buffer.from('x'), mostlyZero);
    expect(calls).toBeGreaterThan(1);
    expect(rsaDecryptPkcs1v15(privateKey, ciphertext)).toEqual(Buffer.from('x'));
  });

  it('is reproducible for a given random source', () => {
    const a = rsaEncryptPkcs1v15(publicKey, Buffer.from('pw'), seededRandom('same'));
    const b = rsaEncryptPkcs1v15(publicKey, Buffer.from('pw'), seededRandom('same'));
    expect(a).toEqual(b);
  });

  it("opens what node's own PKCS#1 v1.5 encryption produces", () => {
    const message = Buffer.from('0123456789abcdef0123456789abcdef');
    const ciphertext = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
      message,
    );
    expect(rsaDecryptPkcs1v15(privateKey, ciphertext)).toEqual(message);
  });

  it('refuses a message longer than k - 11 bytes', () => {
    expect(() => rsaEncryptPkcs1v15(publicKey, new Uint8Array(k - 10), seededRandom('x'))).toThrow(
      RangeError,
    );
  });

  it('fails generically for a wrong length, a value above the modulus, or the wrong key', () => {
    const good = rsaEncryptPkcs1v15(publicKey, Buffer.from('pw'), seededRandom('g'));
    expectGenericDecryptionFailure(() => rsaDecryptPkcs1v15(privateKey, good.subarray(1)));
    expectGenericDecryptionFailure(() =>
      rsaDecryptPkcs1v15(privateKey, Buffer.concat([good, Buffer.of(0)])),
    );
    expectGenericDecryptionFailure(() => rsaDecryptPkcs1v15(privateKey, Buffer.alloc(k, 0xff)));
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expectGenericDecryptionFailure(() => rsaDecryptPkcs1v15(other, good));
  });

  it('fails generically for every padding defect', () => {
    const blocks: Array<[string, Buffer]> = [
      ['first byte not 0', paddedBlock({ first: 0x01 })],
      ['second byte not 2', paddedBlock({ second: 0x01 })],
      ['no separator', Buffer.concat([Buffer.of(0, 2), Buffer.alloc(k - 2, 0x11)])],
      ['padding of 7 bytes', paddedBlock({ paddingLength: 7 })],
      ['separator right after 00 02', paddedBlock({ paddingLength: 0 })],
    ];
    for (const [, block] of blocks) {
      const ciphertext = publicEncrypt(
        { key: publicKey, padding: constants.RSA_NO_PADDING },
        block,
      );
      expectGenericDecryptionFailure(() => rsaDecryptPkcs1v15(privateKey, ciphertext));
    }
    const eightBytes = publicEncrypt(
      { key: publicKey, padding: constants.RSA_NO_PADDING },
      paddedBlock({ paddingLength: 8 }),
    );
    expect(rsaDecryptPkcs1v15(privateKey, eightBytes).length).toBe(k - 11);
  });

  function paddedBlock(options: {
    first?: number;
    second?: number;
    paddingLength?: number;
  }): Buffer {
    const paddingLength = options.paddingLength ?? 100;
    const block = Buffer.alloc(k, 0x33);
    block[0] = options.first ?? 0;
    block[1] = options.second ?? 2;
    block[2 + paddingLength] = 0;
    return block;
  }
});
