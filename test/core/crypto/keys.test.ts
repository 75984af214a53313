import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliMessage } from '../../../src/cli/commands/input-phrases.js';
import {
  assertCertificateCurrent,
  parsePrivateKey,
  parsePublicKeyOrCertificate,
} from '../../../src/core/crypto/keys.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, referencePath } from '../../helpers/reference.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const pkcs1Public = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;

describe('parsePublicKeyOrCertificate', () => {
  it('reads an SPKI and a PKCS#1 RSA public key, also as base64 of the PEM', () => {
    for (const pem of [spki, pkcs1Public, Buffer.from(spki).toString('base64')]) {
      const material = parsePublicKeyOrCertificate(pem, 'key.pem');
      expect(material.publicKey.equals(rsa.publicKey)).toBe(true);
      expect(material.certificate).toBeUndefined();
    }
  });

  it('reads the base64 of a PEM only as strict base64 (padded), as the schema and the runtime do', () => {
    // 451 bytes of SPKI PEM: its base64 ends in padding, which an unpadded copy drops
    const padded = Buffer.from(spki).toString('base64');
    expect(padded).toMatch(/=$/);
    expect(
      thrownHpvsError(() => parsePublicKeyOrCertificate(padded.replace(/=+$/, ''), 'k')).code,
    ).toBe('PEM_INVALID');
  });

  it.skipIf(!HAS_REFERENCE)('reads an IBM HPCR encryption certificate', () => {
    const path = referencePath(
      'ibm-encryption-certs',
      'hpvs',
      'ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
    );
    const material = parsePublicKeyOrCertificate(readFileSync(path), path);
    expect(material.certificate?.serialNumber).toBe('C775927D9F86D27D369FAC42B05144AA');
    expect(material.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('refuses what is not an RSA public key, saying what it found', () => {
    const cases: Array<[string, string, string]> = [
      ['not PEM', 'hello', 'PEM_INVALID'],
      [
        'an EC key',
        ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
        'KEY_UNSUPPORTED',
      ],
      ['a private key', pkcs8, 'KEY_INVALID'],
      [
        'a CSR',
        '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
        'PEM_INVALID',
      ],
      [
        'a broken certificate',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        'CERT_INVALID',
      ],
      [
        'a broken key',
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
        'KEY_INVALID',
      ],
    ];
    for (const [, pem, code] of cases) {
      const error = thrownHpvsError(() => parsePublicKeyOrCertificate(pem, 'in.pem'));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(/^in\.pem: /);
    }
    expect(
      thrownHpvsError(() =>
        parsePublicKeyOrCertificate(ec.publicKey.export({ type: 'spki', format: 'pem' }), 'ec.pem'),
      ).message,
    ).toBe('ec.pem: EC key; hpvs-ctl needs an RSA key');
  });
});

describe('parsePrivateKey', () => {
  it('reads PKCS#8 and PKCS#1 keys', () => {
    for (const pem of [pkcs8, pkcs1]) {
      expect(parsePrivateKey(pem, 'k.pem').equals(rsa.privateKey)).toBe(true);
    }
  });

  it('unlocks a passphrase-protected PKCS#1 key and refuses a wrong or missing passphrase', () => {
    const locked = rsa.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'opensesame',
    }) as string;
    expect(locked).toContain('Proc-Type: 4,ENCRYPTED');
    expect(parsePrivateKey(locked, 'k.pem', Buffer.from('opensesame')).equals(rsa.privateKey)).toBe(
      true,
    );
    expect(thrownHpvsError(() => parsePrivateKey(locked, 'k.pem')).code).toBe('KEY_PASSPHRASE');
    expect(thrownHpvsError(() => parsePrivateKey(locked, 'k.pem', Buffer.from('nope'))).code).toBe(
      'KEY_PASSPHRASE',
    );
  });

  describe.skipIf(!HAS_REFERENCE)('the encrypted-private-key fixture (PKCS#8)', () => {
    const pem = HAS_REFERENCE
      ? readFileSync(referencePath('fixtures', 'encrypted-private-key', 'private_encrypted.pem'))
      : Buffer.alloc(0);

    it('opens with "testpassword"', () => {
      const key = parsePrivateKey(pem, 'private_encrypted.pem', Buffer.from('testpassword'));
      expect(key.asymmetricKeyType).toBe('rsa');
    });

    it('asks for the passphrase when none is given, and says when it is wrong', () => {
      const missing = thrownHpvsError(() => parsePrivateKey(pem, 'private_encrypted.pem'));
      expect(missing.code).toBe('KEY_PASSPHRASE');
      // the core names the concept; the CLI names its flag for the same error
      expect(missing.message).toContain('give the passphrase of the private key');
      expect(missing.message).not.toContain('--');
      expect(cliMessage(missing)).toContain('give the passphrase with --passphrase-file');
      const wrong = thrownHpvsError(() =>
        parsePrivateKey(pem, 'private_encrypted.pem', Buffer.from('x')),
      );
      expect(wrong.code).toBe('KEY_PASSPHRASE');
      expect(wrong.message).toContain('check the passphrase');
    });
  });

  it('refuses an EC key, a public key and garbage', () => {
    const ecPem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(thrownHpvsError(() => parsePrivateKey(ecPem, 'k.pem')).code).toBe('KEY_UNSUPPORTED');
    expect(thrownHpvsError(() => parsePrivateKey(spki, 'k.pem')).code).toBe('KEY_INVALID');
    expect(thrownHpvsError(() => parsePrivateKey('nothing', 'k.pem')).code).toBe('PEM_INVALID');
    const broken = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(thrownHpvsError(() => parsePrivateKey(broken, 'k.pem')).code).toBe('KEY_INVALID');
  });
});

describe.skipIf(!HAS_REFERENCE)('assertCertificateCurrent', () => {
  // Valid 2026-07-06T06:44:31Z to 2027-07-06T06:44:41Z.
  const certificate = HAS_REFERENCE
    ? new X509Certificate(
        readFileSync(
          referencePath(
            'ibm-encryption-certs',
            'hpvs',
            'ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
          ),
        ),
      )
    : undefined;

  it('accepts a time inside the validity window, edges included', () => {
    for (const now of ['2026-07-06T06:44:31Z', '2026-12-01T00:00:00Z', '2027-07-06T06:44:41Z']) {
      expect(() => assertCertificateCurrent(certificate!, new Date(now), 'enc.crt')).not.toThrow();
    }
  });

  it('refuses a certificate that is not valid yet, with both dates', () => {
    const error = thrownHpvsError(() =>
      assertCertificateCurrent(certificate!, new Date('2026-07-06T06:44:30Z'), 'enc.crt'),
    );
    expect(error.code).toBe('CERT_NOT_YET_VALID');
    expect(error.message).toBe(
      'enc.crt: certificate is not valid until 2026-07-06T06:44:31.000Z (valid 2026-07-06T06:44:31.000Z to 2027-07-06T06:44:41.000Z); allow an expired certificate to encrypt anyway',
    );
    expect(cliMessage(error)).toBe(
      'enc.crt: certificate is not valid until 2026-07-06T06:44:31.000Z (valid 2026-07-06T06:44:31.000Z to 2027-07-06T06:44:41.000Z); use --allow-expired to encrypt anyway',
    );
  });

  it('refuses an expired certificate, with both dates', () => {
    const error = thrownHpvsError(() =>
      assertCertificateCurrent(certificate!, new Date('2027-07-06T06:44:42Z'), 'enc.crt'),
    );
    expect(error.code).toBe('CERT_EXPIRED');
    expect(error.message).toContain('expired on 2027-07-06T06:44:41.000Z');
  });
});
