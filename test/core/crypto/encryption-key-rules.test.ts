import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertEncryptionKey,
  encryptionKeyFindings,
} from '../../../src/core/crypto/encryption-key-rules.js';
import { issueCertificate, type CertificateRole } from '../../../src/core/pki/issue-certificate.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';

const now = new Date();
const day = 86_400_000;

const pairs = new Map<number, { publicKey: KeyObject; privateKey: KeyObject }>();

async function certificate(bits: number, role: CertificateRole) {
  if (!pairs.has(bits)) pairs.set(bits, generateKeyPairSync('rsa', { modulusLength: bits }));
  const { publicKey, privateKey } = pairs.get(bits)!;
  const pem = await issueCertificate({
    subject: `CN=${role} ${bits}`,
    publicKey,
    selfSigningKey: privateKey,
    role,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + day),
  });
  const certificate = new X509Certificate(pem);
  return { publicKey: certificate.publicKey, certificate };
}

describe('the encryption key rules', () => {
  it('refuses RSA-1024 (KEY_WEAK), warns under 4096, accepts 4096 silently', async () => {
    const weak = await certificate(1024, 'encryption');
    expect(encryptionKeyFindings(weak, 'weak.crt').map((finding) => finding.rule)).toEqual([
      'rsa-too-small',
    ]);
    const error = thrownHpvsError(() => assertEncryptionKey(weak, 'weak.crt'));
    expect(error.code).toBe('KEY_WEAK');
    expect(error.message).toBe(
      "weak.crt: RSA-1024 key; encrypting needs at least 2048 bits (IBM's encryption certificates have 4096)",
    );
    const bare = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(thrownHpvsError(() => assertEncryptionKey({ publicKey: bare }, 'k.pem')).code).toBe(
      'KEY_WEAK',
    );
    expect(assertEncryptionKey(await certificate(2048, 'encryption'), 'mid.crt')).toEqual([
      "mid.crt: RSA-2048 key; IBM's encryption certificates have 4096 bits, so check that this is the runtime's certificate",
    ]);
    expect(assertEncryptionKey(await certificate(4096, 'encryption'), 'ibm.crt')).toEqual([]);
  });

  it('refuses a certificate whose keyUsage lacks keyEncipherment (CERT_USAGE); no keyUsage is fine', async () => {
    const signing = await certificate(4096, 'attestation');
    const error = thrownHpvsError(() => assertEncryptionKey(signing, 'att.crt'));
    expect(error.code).toBe('CERT_USAGE');
    expect(error.message).toMatch(
      /att\.crt: the certificate's keyUsage \(digitalSignature\) lacks keyEncipherment/,
    );
    expect(assertEncryptionKey(await certificate(4096, 'tls-server'), 'tls.crt')).toEqual([]);
    expect(assertEncryptionKey({ publicKey: pairs.get(4096)!.publicKey }, 'k.pem')).toEqual([]);
  });
});
