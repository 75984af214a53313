import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueContractSigningCertificate } from '../../../src/core/contract/contract-expiry.js';
import { createCertificateRequest } from '../../../src/core/pki/certificate-request.js';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';
import { rejectedHpvsError } from '../../helpers/expect-error.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-expiry-');
const DAY = 24 * 60 * 60 * 1000;
const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
// Whole seconds, as X.509 stores them, so notAfter can be compared exactly.
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
let caPem: string;

beforeAll(async () => {
  caPem = await issueCertificate({
    subject: 'CN=Deployer CA',
    publicKey: ca.publicKey,
    role: 'root-ca',
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    selfSigningKey: ca.privateKey,
  });
});

const issue = (extra: Partial<Parameters<typeof issueContractSigningCertificate>[0]> = {}) =>
  issueContractSigningCertificate({
    days: 30,
    caCertificatePem: caPem,
    caPrivateKey: ca.privateKey,
    signingPublicKey: signer.publicKey,
    subject: '/CN=deployer/O=Example',
    now,
    ...extra,
  });

describe('issueContractSigningCertificate', () => {
  it('issues a certificate for the signing key, valid from now for N days', async () => {
    const certificate = new X509Certificate(await issue());
    expect(new Date(certificate.validFrom)).toEqual(now);
    expect(new Date(certificate.validTo)).toEqual(new Date(now.getTime() + 30 * DAY));
    expect(certificate.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      signer.publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(certificate.subject).toBe('CN=deployer\nO=Example');
    expect(certificate.ca).toBe(false);
  });

  it.skipIf(!hasTool('openssl'))('verifies with openssl verify -CAfile ca.crt', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.crt'), caPem);
    writeFileSync(join(dir, 'signing.crt'), await issue({ days: 1 }));
    const result = runTool('openssl', [
      'verify',
      '-CAfile',
      join(dir, 'ca.crt'),
      join(dir, 'signing.crt'),
    ]);
    expect(result.stdout.toString()).toContain('signing.crt: OK');
    expect(result.status).toBe(0);
  });

  it('takes the subject from a CSR of the signing key, and refuses a CSR of another key', async () => {
    const csr = await createCertificateRequest({ subject: 'CN=from-csr', ...signer });
    expect(new X509Certificate(await issue({ csrPem: csr, subject: undefined })).subject).toBe(
      'CN=from-csr',
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherCsr = await createCertificateRequest({ subject: 'CN=x', ...other });
    expect((await rejectedHpvsError(issue({ csrPem: otherCsr }))).code).toBe('KEY_INVALID');
  });

  it('refuses N <= 0 and fractional days', async () => {
    for (const days of [0, -3, 1.5]) {
      expect((await rejectedHpvsError(issue({ days }))).code).toBe('ARGUMENT_INVALID');
    }
  });

  it('refuses a CA that is not a CA, a CA key that does not match, and a CA expiring first', async () => {
    const leafPem = await issueCertificate({
      subject: 'CN=leaf',
      publicKey: signer.publicKey,
      role: 'contract-signing',
      notBefore: now,
      notAfter: new Date(now.getTime() + DAY),
      issuer: { certificatePem: caPem, privateKey: ca.privateKey },
    });
    expect((await rejectedHpvsError(issue({ caCertificatePem: leafPem }))).message).toMatch(
      /not a CA certificate/,
    );
    expect((await rejectedHpvsError(issue({ caPrivateKey: signer.privateKey }))).code).toBe(
      'KEY_INVALID',
    );
    expect((await rejectedHpvsError(issue({ days: 400 }))).message).toMatch(
      /expires on .* before the contract would/,
    );
  });
});
