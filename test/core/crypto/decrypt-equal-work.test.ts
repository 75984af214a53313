import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { opensslDecrypt, opensslEncrypt } from '../../../src/core/crypto/openssl-enc.js';
import { generateSectionPassword } from '../../../src/core/crypto/section-password.js';
import { formatSectionToken, parseSectionToken } from '../../../src/core/crypto/section-token.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/**
 * The equal-work property of decryptSection, checked by what it does rather than how long it
 * takes: node:crypto is wrapped (the real functions still run) so every private-key operation,
 * PBKDF2 derivation and AES step is written to a trace. A token whose wrapped password has a
 * bad RSA padding must leave the same trace as a token that opens.
 */
const trace = vi.hoisted(() => [] as string[]);

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const wrapped = {
    ...real,
    privateDecrypt: ((...args: Parameters<typeof real.privateDecrypt>) => {
      trace.push(`rsa ${(args[1] as Uint8Array).length}`);
      return real.privateDecrypt(...args);
    }) as typeof real.privateDecrypt,
    pbkdf2Sync: ((...args: Parameters<typeof real.pbkdf2Sync>) => {
      const [, salt, iterations, keylen, digest] = args;
      trace.push(`pbkdf2 ${(salt as Uint8Array).length} ${iterations} ${keylen} ${digest}`);
      return real.pbkdf2Sync(...args);
    }) as typeof real.pbkdf2Sync,
    createDecipheriv: ((...args: Parameters<typeof real.createDecipheriv>) => {
      trace.push(`aes ${String(args[0])}`);
      const decipher = real.createDecipheriv(...args);
      const update = decipher.update.bind(decipher) as (data: Uint8Array) => Buffer;
      const final = decipher.final.bind(decipher) as () => Buffer;
      Object.assign(decipher, {
        update: (data: Uint8Array) => {
          trace.push(`aes update ${data.length}`);
          return update(data);
        },
        final: () => {
          trace.push('aes final');
          return final();
        },
      });
      return decipher;
    }) as typeof real.createDecipheriv,
  };
  return { ...wrapped, default: wrapped };
});

afterEach(() => {
  trace.length = 0;
});

function traceOf(run: () => unknown): { trace: string[]; error?: string } {
  trace.length = 0;
  let error: string | undefined;
  try {
    run();
  } catch (caught) {
    error = thrownHpvsError(() => {
      throw caught;
    }).message;
  }
  return { trace: [...trace], ...(error === undefined ? {} : { error }) };
}

const section = Buffer.from('type: env\nlogging: {}\n'.repeat(20));

describe('decryptSection does the same work whatever the RSA padding holds', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = encryptSection(section, publicKey, seededRandom('equal-work'));
  const parts = parseSectionToken(token);
  const withWrapped = (wrappedPassword: Buffer): string =>
    formatSectionToken({ ...parts, wrappedPassword });

  const good = traceOf(() => decryptSection(token, privateKey, seededRandom('substitute')));

  it('a good token: one RSA operation, one PBKDF2 of 10000 iterations, AES over the whole body', () => {
    expect(good.error).toBeUndefined();
    const body = parts.encryptedData.length - 16;
    expect(good.trace).toEqual([
      'rsa 256',
      'pbkdf2 8 10000 48 sha256',
      'aes aes-256-cbc',
      `aes update ${body}`,
      'aes final',
    ]);
  });

  it('a wrapped password with a bad padding, of the wrong length, or above the modulus: the same steps, then the generic error', () => {
    // raw RSA of a block that is not 00 02 PS 00 M: the primitive works, the padding does not
    const badBlock = Buffer.alloc(256, 0x41);
    const badPadding = crypto.publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_NO_PADDING },
      badBlock,
    );
    for (const wrapped of [
      badPadding,
      parts.wrappedPassword.subarray(1),
      Buffer.alloc(256, 0xff),
    ]) {
      const bad = traceOf(() =>
        decryptSection(withWrapped(wrapped), privateKey, seededRandom('x')),
      );
      expect(bad.error).toBe(DECRYPTION_FAILED_MESSAGE);
      expect(bad.trace).toEqual(good.trace);
    }
  });

  it('never returns data for a bad padding, even when the stand-in password happens to unpad', () => {
    const badPadding = crypto.publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_NO_PADDING },
      Buffer.alloc(256, 0x41),
    );
    // a body sealed under the very stand-in password decryptSection will draw, so AES opens it
    const standIn = generateSectionPassword(seededRandom('stand-in'));
    const sealed = opensslEncrypt(
      Buffer.from('secret'),
      standIn,
      parts.encryptedData.subarray(8, 16),
    );
    expect(opensslDecrypt(sealed, standIn).toString()).toBe('secret');
    const token = formatSectionToken({
      ...parts,
      wrappedPassword: badPadding,
      encryptedData: sealed,
    });
    const outcome = traceOf(() => decryptSection(token, privateKey, seededRandom('stand-in')));
    expect(outcome).toEqual({
      trace: [
        'rsa 256',
        'pbkdf2 8 10000 48 sha256',
        'aes aes-256-cbc',
        'aes update 16',
        'aes final',
      ],
      error: DECRYPTION_FAILED_MESSAGE,
    });
  });
});

if (!HAS_REFERENCE) console.warn(`skipping Wycheproof equal-work cases: ${REFERENCE_SKIP_REASON}`);

interface WycheproofFile {
  testGroups: Array<{
    privateKeyPem: string;
    tests: Array<{ tcId: number; comment: string; ct: string; result: string }>;
  }>;
}

describe.skipIf(!HAS_REFERENCE)('Wycheproof invalid paddings inside a section token', () => {
  it('every invalid case takes the same steps as a valid one and ends in the one generic error', () => {
    const file = JSON.parse(
      readFileSync(referencePath('wycheproof', 'rsa_pkcs1_2048_test.json'), 'utf8'),
    ) as WycheproofFile;
    let checked = 0;
    for (const group of file.testGroups) {
      const privateKey = crypto.createPrivateKey(group.privateKeyPem);
      const publicKey = crypto.createPublicKey(privateKey);
      const parts = parseSectionToken(encryptSection(section, publicKey, seededRandom('wp')));
      const reference = traceOf(() =>
        decryptSection(formatSectionToken(parts), privateKey, seededRandom('wp')),
      );
      expect(reference.error).toBeUndefined();
      // an empty ciphertext cannot be written as a token part: the parser refuses it before any key is used
      const invalid = group.tests.filter((test) => test.result === 'invalid' && test.ct !== '');
      for (const test of invalid) {
        const token = formatSectionToken({
          ...parts,
          wrappedPassword: Buffer.from(test.ct, 'hex'),
        });
        const outcome = traceOf(() => decryptSection(token, privateKey, seededRandom('wp')));
        checked++;
        expect({ tcId: test.tcId, ...outcome }).toEqual({
          tcId: test.tcId,
          trace: reference.trace,
          error: DECRYPTION_FAILED_MESSAGE,
        });
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
