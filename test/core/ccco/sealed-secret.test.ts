import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealSecret, unsealSecret, type SealedType } from '../../../src/core/ccco/sealed-secret.js';
import { expectGenericDecryptionFailure } from '../../helpers/expect-error.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir();

function rsa(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

const encryption = rsa();
const signing = rsa();
const random = seededRandom('sealed-secret');

function seal(secret: Uint8Array | string, type: SealedType = 'env'): string {
  return sealSecret({
    secret: Buffer.from(secret),
    type,
    encryptionKey: encryption.publicKey,
    signingKey: signing.privateKey,
    random,
  });
}

const keys = { decryptionKey: encryption.privateKey, verificationKey: signing.publicKey };

function pemFile(name: string, key: KeyObject): string {
  const path = join(tempDir(), name);
  const pem =
    key.type === 'private'
      ? key.export({ format: 'pem', type: 'pkcs8' })
      : key.export({ format: 'pem', type: 'spki' });
  writeFileSync(path, pem);
  return path;
}

describe('sealed secret format (SPEC-IBM A7.4)', () => {
  it("uses IBM's exact JWS headers and envelope layout", () => {
    const [prefix, header, payload, signature] = seal('value123').split('.');
    expect(prefix).toBe('sealed');
    expect(header).toBe('eyJhbGciOiJSUzUxMiIsImtpZCI6ImVudl92ZXJpZnkifQ');
    expect(seal('x', 'workload').split('.')[1]).toBe(
      'eyJhbGciOiJSUzUxMiIsImtpZCI6Indvcmtsb2FkX3ZlcmlmeSJ9',
    );
    const envelope = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(envelope)).toEqual([
      'encrypted_data',
      'encrypted_key',
      'iv',
      'key_id',
      'provider',
      'type',
      'version',
      'wrap_type',
    ]);
    expect(envelope).toMatchObject({
      key_id: 'env_decrypt',
      provider: 'ibm-hpcr-contract',
      type: 'kms',
      version: '0.1.0',
      wrap_type: 'A256GCM',
    });
    expect(envelope.encrypted_data).toHaveLength(32);
    expect(Buffer.from(envelope.encrypted_key!, 'base64')).toHaveLength(256);
    expect(envelope.iv).toHaveLength(16);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('round-trips any secret size (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 5000 }),
        fc.constantFrom<SealedType>('workload', 'env'),
        (secret, type) => {
          const sealed = seal(secret, type);
          expect(unsealSecret(sealed, { ...keys, type })).toEqual(Buffer.from(secret));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects any single changed character (property), with the one generic error', () => {
    const sealed = seal('a database password');
    const alphabet = 'AQgw_-Zz09.';
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.constantFrom(...alphabet),
        (index, replacement) => {
          fc.pre(sealed[index] !== replacement);
          const tampered = sealed.slice(0, index) + replacement + sealed.slice(index + 1);
          expectGenericDecryptionFailure(() => unsealSecret(tampered, keys));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects a signature whose last character differs only in the bits base64 ignores', () => {
    const sealed = seal('a database password');
    const last = sealed.at(-1)!;
    // 512 signature bytes leave 4 unused bits in the last base64url character
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(sealed.slice(-3, -1) + twin, 'base64url')).toEqual(
      Buffer.from(sealed.slice(-3), 'base64url'),
    );
    expectGenericDecryptionFailure(() => unsealSecret(sealed.slice(0, -1) + twin, keys));
  });

  it('rejects truncation, wrong keys, the other type and a re-signed forged header', () => {
    const sealed = seal('value');
    const [, header, payload] = sealed.split('.') as [string, string, string, string];
    const other = rsa();
    const resign = (h: string, p: string): string =>
      `sealed.${h}.${p}.${sign('sha512', Buffer.from(`${h}.${p}`), signing.privateKey).toString('base64url')}`;
    const forgedHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'env_verify' })).toString(
      'base64url',
    );
    const envelope = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      string
    >;
    const wrongKeyId = Buffer.from(
      JSON.stringify({ ...envelope, key_id: 'workload_decrypt' }),
    ).toString('base64url');
    const cases: [string, () => unknown][] = [
      ['truncated', () => unsealSecret(sealed.slice(0, -10), keys)],
      ['no signature', () => unsealSecret(sealed.split('.').slice(0, 3).join('.'), keys)],
      ['not sealed.', () => unsealSecret(sealed.replace(/^sealed/, 'sealex'), keys)],
      [
        'wrong decryption key',
        () => unsealSecret(sealed, { ...keys, decryptionKey: other.privateKey }),
      ],
      [
        'wrong verification key',
        () => unsealSecret(sealed, { ...keys, verificationKey: other.publicKey }),
      ],
      ['other type', () => unsealSecret(sealed, { ...keys, type: 'workload' })],
      ['forged alg', () => unsealSecret(resign(forgedHeader, payload), keys)],
      ['key_id of the other type', () => unsealSecret(resign(header, wrongKeyId), keys)],
      ['empty', () => unsealSecret('', keys)],
    ];
    for (const [name, action] of cases) {
      expect(name).toBeTruthy();
      expectGenericDecryptionFailure(action);
    }
    expect(unsealSecret(resign(header, payload), keys).toString()).toBe('value');
  });
});

describe.skipIf(!hasTool('openssl'))(
  'interop with a reference written from the spec (openssl + node:crypto)',
  () => {
    const pem = {
      encryptionPrivate: () => pemFile('enc-private.pem', encryption.privateKey),
      encryptionPublic: () => pemFile('enc-public.pem', encryption.publicKey),
      signingPrivate: () => pemFile('sign-private.pem', signing.privateKey),
      signingPublic: () => pemFile('sign-public.pem', signing.publicKey),
    };

    /** Opens a sealed value following A7.4 step by step, without hpvs-ctl's code. */
    function referenceOpen(sealed: string): Buffer {
      const [prefix, h, p, s] = sealed.split('.');
      expect(prefix).toBe('sealed');
      const dir = tempDir();
      writeFileSync(join(dir, 'sig.bin'), Buffer.from(s!, 'base64url'));
      const verified = runTool(
        'openssl',
        ['dgst', '-sha512', '-verify', pem.signingPublic(), '-signature', join(dir, 'sig.bin')],
        `${h}.${p}`,
      );
      expect(verified.stdout.toString()).toContain('Verified OK');
      expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({
        alg: 'RS512',
        kid: 'env_verify',
      });
      const envelope = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<
        string,
        string
      >;
      const unwrapped = runTool(
        'openssl',
        [
          'pkeyutl',
          '-decrypt',
          '-inkey',
          pem.encryptionPrivate(),
          '-pkeyopt',
          'rsa_padding_mode:pkcs1',
        ],
        Buffer.from(envelope.encrypted_key!, 'base64'),
      );
      expect(unwrapped.status).toBe(0);
      expect(unwrapped.stdout).toHaveLength(32);
      const data = Buffer.from(envelope.encrypted_data!, 'base64');
      const decipher = createDecipheriv(
        'aes-256-gcm',
        unwrapped.stdout,
        Buffer.from(envelope.iv!, 'base64'),
      );
      decipher.setAuthTag(data.subarray(-16));
      return Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]);
    }

    /** Seals following A7.4 with openssl for the RSA steps. */
    function referenceSeal(secret: Buffer): string {
      const key = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
      const wrapped = runTool(
        'openssl',
        [
          'pkeyutl',
          '-encrypt',
          '-pubin',
          '-inkey',
          pem.encryptionPublic(),
          '-pkeyopt',
          'rsa_padding_mode:pkcs1',
        ],
        key,
      );
      expect(wrapped.status).toBe(0);
      const envelope = `{"encrypted_data":"${ct.toString('base64')}","encrypted_key":"${wrapped.stdout.toString('base64')}","iv":"${iv.toString('base64')}","key_id":"env_decrypt","provider":"ibm-hpcr-contract","type":"kms","version":"0.1.0","wrap_type":"A256GCM"}`;
      const input = `eyJhbGciOiJSUzUxMiIsImtpZCI6ImVudl92ZXJpZnkifQ.${Buffer.from(envelope).toString('base64url')}`;
      const signature = runTool(
        'openssl',
        ['dgst', '-sha512', '-sign', pem.signingPrivate()],
        input,
      );
      expect(signature.status).toBe(0);
      return `sealed.${input}.${signature.stdout.toString('base64url')}`;
    }

    it('a value sealed by hpvs-ctl opens with the reference', () => {
      for (const secret of [
        'value123',
        'x',
        'multi\nline\n',
        randomBytes(3000).toString('latin1'),
      ]) {
        expect(referenceOpen(seal(secret))).toEqual(Buffer.from(secret));
      }
    });

    it('a value sealed by the reference opens with hpvs-ctl', () => {
      const secret = randomBytes(777);
      expect(unsealSecret(referenceSeal(secret), { ...keys, type: 'env' })).toEqual(secret);
    });
  },
);
