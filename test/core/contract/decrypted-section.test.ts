import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSectionToken } from '../../../src/core/contract/decrypted-section.js';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { tamperToken } from '../../helpers/tamper-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attestation = generateKeyPairSync('rsa', { modulusLength: 2048 });
const section = 'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n    port: 6514\n';
const encrypt = (text: string) =>
  encryptSection(Buffer.from(text), publicKey, seededRandom(`tamper ${text}`));
const token = encrypt(section);
const open = (key: string, text: string, withKey = privateKey) =>
  openSectionToken(key, text, withKey, seededRandom('stand-in'), 'u.yaml');

/** The one error every failure below must give, for the section `key`. */
const cannotOpen = (key: string) =>
  `u.yaml: the ${key} section cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key (tokens carry no integrity check; sign the contract)`;

describe('openSectionToken', () => {
  it('opens a section token to its mapping, with positions named after the decrypted section', () => {
    const opened = open('env', token);
    expect(opened.form).toBe('mapping');
    expect(opened.value).toBe(section);
    expect(opened.source).toBe('u.yaml (decrypted env)');
    expect(opened.positionOf(['logging', 'syslog', 'port'])).toEqual({ line: 5, col: 11 });
  });

  it('the raw decryption tells a bad padding from garbage: that is the oracle openSectionToken closes', () => {
    const raw = (text: string) => decryptSection(text, privateKey, seededRandom('stand-in'));
    expect(thrownHpvsError(() => raw(tamperToken(token, 'padding-byte'))).message).toBe(
      DECRYPTION_FAILED_MESSAGE,
    );
    const garbage = raw(tamperToken(token, 'early-block'));
    expect(garbage.length).toBe(section.length);
    expect(garbage.equals(Buffer.from(section))).toBe(false);
  });

  it('a bad padding, an early-block flip, the wrong key and plaintexts that do not read give one identical error', () => {
    const failures = {
      'bad padding (last block)': () => open('env', tamperToken(token, 'padding-byte')),
      'garbage (first block)': () => open('env', tamperToken(token, 'early-block')),
      'the wrong key': () => open('env', token, other.privateKey),
      'text that is not YAML': () => open('env', encrypt('a: [1\n')),
      'YAML that is not a mapping': () => open('env', encrypt('just words\n')),
      'bytes that are not text': () => open('env', encrypt('type: env\n\u0001\n')),
    };
    for (const [name, failure] of Object.entries(failures)) {
      const error = thrownHpvsError(failure);
      expect({ name, code: error.code, message: error.message, cause: error.cause }).toEqual({
        name,
        code: 'DECRYPTION_FAILED',
        message: cannotOpen('env'),
        cause: undefined,
      });
    }
  });

  it('attestationPublicKey must open to an RSA public key; other sections to text', () => {
    const pem = attestation.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const opened = open('attestationPublicKey', encrypt(pem));
    expect({ form: opened.form, value: opened.value }).toEqual({ form: 'string', value: pem });
    for (const bad of [encrypt('not a key\n'), tamperToken(encrypt(pem), 'early-block')]) {
      expect(thrownHpvsError(() => open('attestationPublicKey', bad)).message).toBe(
        cannotOpen('attestationPublicKey'),
      );
    }
    expect(open('envWorkloadSignature', encrypt('c2lnbmF0dXJl')).value).toBe('c2lnbmF0dXJl');
    expect(
      thrownHpvsError(() => open('envWorkloadSignature', tamperToken(token, 'early-block')))
        .message,
    ).toBe(cannotOpen('envWorkloadSignature'));
  });

  it('a malformed token is visible without any key and keeps its own message', () => {
    const error = thrownHpvsError(() => open('env', 'hyper-protect-basic.!!!.!!!'));
    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).not.toContain('cannot be opened');
  });
});
