import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { parsePrivateKey } from '../../../src/core/crypto/keys.js';
import { opensslDecrypt } from '../../../src/core/crypto/openssl-enc.js';
import { rsaDecryptPkcs1v15 } from '../../../src/core/crypto/rsa-pkcs1-v15.js';
import { parseSectionToken } from '../../../src/core/crypto/section-token.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, referencePath } from '../../helpers/reference.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { systemRandom } from '../../../src/node/random.js';

describe('encryptSection / decryptSection', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const section = Buffer.from('type: workload\ncompose:\n  archive: H4sI\n');

  it('round-trips the exact bytes, with either prefix', () => {
    const random = seededRandom('round-trip');
    for (const prefix of ['hyper-protect-basic', 'contract-basic'] as const) {
      const token = encryptSection(section, publicKey, random, prefix);
      expect(token.startsWith(`${prefix}.`)).toBe(true);
      expect(decryptSection(token, privateKey, systemRandom)).toEqual(section);
    }
  });

  it('is reproducible for a given random source and differs between sources', () => {
    const a = encryptSection(section, publicKey, seededRandom('same'));
    expect(encryptSection(section, publicKey, seededRandom('same'))).toBe(a);
    expect(encryptSection(section, publicKey, seededRandom('other'))).not.toBe(a);
  });

  it('uses all 32 password bytes in both the wrapped copy and the key derivation', () => {
    const token = parseSectionToken(encryptSection(section, publicKey, seededRandom('pw')));
    const password = rsaDecryptPkcs1v15(privateKey, token.wrappedPassword);
    expect(password.length).toBe(32);
    expect([0x00, 0x0a, 0x0d].some((byte) => password.includes(byte))).toBe(false);
    expect(opensslDecrypt(token.encryptedData, password)).toEqual(section);
  });

  it('fails generically for the wrong key and for tampered data', () => {
    const token = encryptSection(section, publicKey, seededRandom('tamper'));
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(thrownHpvsError(() => decryptSection(token, other, systemRandom)).message).toBe(
      DECRYPTION_FAILED_MESSAGE,
    );
    const parts = parseSectionToken(token);
    const lastBlock = parts.encryptedData.length - 1;
    parts.encryptedData[lastBlock] = parts.encryptedData[lastBlock]! ^ 0x01;
    const tampered = `hyper-protect-basic.${parts.wrappedPassword.toString('base64')}.${parts.encryptedData.toString('base64')}`;
    expect(thrownHpvsError(() => decryptSection(tampered, privateKey, systemRandom)).code).toBe(
      'DECRYPTION_FAILED',
    );
  });
});

describe.skipIf(!HAS_REFERENCE)('IBM truncated-password fixture', () => {
  const dir = HAS_REFERENCE ? referencePath('fixtures', 'truncated-password') : '';
  const key = () => parsePrivateKey(readFileSync(`${dir}/private.key`), 'private.key');

  it('encrypt.txt opens to exactly "hello-world"', () => {
    const token = readFileSync(`${dir}/encrypt.txt`, 'utf8');
    expect(decryptSection(token, key(), systemRandom).toString('latin1')).toBe('hello-world');
  });

  it('needs the openssl truncation: its wrapped password has 0x0A at byte 14', () => {
    const token = parseSectionToken(readFileSync(`${dir}/encrypt.txt`, 'utf8'));
    const password = rsaDecryptPkcs1v15(key(), token.wrappedPassword);
    expect(password.length).toBe(32);
    expect(password.indexOf(0x0a)).toBe(14);
    expect(thrownHpvsError(() => opensslDecrypt(token.encryptedData, password)).code).toBe(
      'DECRYPTION_FAILED',
    );
  });

  it('encrypt.invalid.txt (one character dropped from the password part) fails cleanly', () => {
    // The damage shows without any key: the base64 is no longer whole, so the message can say
    // so; that reveals nothing a padding oracle could use.
    const token = readFileSync(`${dir}/encrypt.invalid.txt`, 'utf8');
    const error = thrownHpvsError(() => decryptSection(token, key(), systemRandom));
    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).toBe(
      'malformed encrypted section: the password part is not valid base64 (truncated or corrupted?)',
    );
  });

  it('a corruption that keeps the base64 whole fails with the generic error', () => {
    const token = readFileSync(`${dir}/encrypt.txt`, 'utf8').trim();
    for (const position of [20, 200, 380, token.length - 10]) {
      const replacement = token[position] === 'A' ? 'B' : 'A';
      const damaged = token.slice(0, position) + replacement + token.slice(position + 1);
      const error = thrownHpvsError(() => decryptSection(damaged, key(), systemRandom));
      expect(error.code).toBe('DECRYPTION_FAILED');
      expect(error.message).toBe(DECRYPTION_FAILED_MESSAGE);
    }
  });
});
