import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NO_INTEGRITY_HINT, parseDecryptedSection } from '../../src/contract/decrypted-section.js';
import { decryptSection, encryptSection } from '../../src/crypto/encrypt-section.js';
import { formatSectionToken, parseSectionToken } from '../../src/crypto/section-token.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../src/errors.js';
import { thrownHpvsError } from '../helpers/expect-error.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { tamperToken } from '../helpers/tamper-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const section = 'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n    port: 6514\n';
const token = encryptSection(Buffer.from(section), publicKey, seededRandom('tamper'));
const open = (text: string) => decryptSection(text, privateKey, seededRandom('stand-in'));

describe('parseDecryptedSection', () => {
  it('reads the plaintext of a section token', () => {
    const parsed = parseDecryptedSection('env', open(token), 'u.yaml (decrypted env)');
    expect(parsed.form).toBe('mapping');
    expect(parsed.value).toBe(section);
  });

  it('a flipped byte in an early AES block opens without error, and is caught here', () => {
    const garbage = open(tamperToken(token, 'early-block'));
    expect(garbage.length).toBe(section.length);
    expect(garbage.equals(Buffer.from(section))).toBe(false);
    const error = thrownHpvsError(() =>
      parseDecryptedSection('env', garbage, 'u.yaml (decrypted env)'),
    );
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      `u.yaml (decrypted env): the decrypted env section is not valid YAML (not even text): ${NO_INTEGRITY_HINT}`,
    );
  });

  it('a flipped byte in the last AES block fails the padding: the generic error', () => {
    const parts = parseSectionToken(token);
    const data = Buffer.from(parts.encryptedData);
    data[data.length - 5] = data[data.length - 5]! ^ 0x80;
    const tampered = formatSectionToken({ ...parts, encryptedData: data });
    expect(thrownHpvsError(() => open(tampered)).message).toBe(DECRYPTION_FAILED_MESSAGE);
    expect(thrownHpvsError(() => open(tamperToken(token, 'padding-byte'))).message).toBe(
      DECRYPTION_FAILED_MESSAGE,
    );
  });

  it('keeps the position of a YAML error, and refuses text that is not a mapping', () => {
    expect(
      thrownHpvsError(() => parseDecryptedSection('workload', Buffer.from('a: [1\n'), 'w')).message,
    ).toMatch(
      /^w:\d+:\d+: the decrypted workload section is not valid YAML \(.+\): the token may be corrupted or tampered with/,
    );
    expect(
      thrownHpvsError(() => parseDecryptedSection('workload', Buffer.from('just words\n'), 'w'))
        .message,
    ).toBe(`w: the decrypted workload section is not a YAML mapping: ${NO_INTEGRITY_HINT}`);
  });
});
