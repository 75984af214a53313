import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// as @peculiar/x509 asks of every program that uses it (tsyringe needs the polyfill)
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  archiveFolder,
  bootEmulator,
  buildInitdata,
  createSyslogCertificates,
  decodeInitdata,
  generateAgentPolicy,
  generateKeyPair,
  sealSecret,
  selectImage,
  unsealSecret,
  validateNetworkConfig,
  buildEnvSection,
  buildWorkloadSection,
  completeContract,
  createContract,
  createEmulator,
  decryptAttestationRecord,
  decryptSection,
  deriveLuksPassphrase,
  encryptSection,
  HpvsError,
  inspectUserData,
  listCertificates,
  parseUserData,
  pickCertificate,
  signContract,
  validateSection,
  validateUserData,
  verifyAttestationRecord,
  verifyCertificateChain,
  verifyContract,
} from '../src/index.js';
import { makeRecordBundle, REFERENCE_FILE_TEXT } from './helpers/attestation-bundle.js';
import { rejectedHpvsError, thrownHpvsError } from './helpers/expect-error.js';
import { seededRandom } from './helpers/seeded-random.js';
import { PROJECT_ROOT } from './helpers/run-cli.js';
import { useTempDir } from './helpers/temp-dir.js';
import { generateTestPki, TEST_PKI_AT, type TestPki } from './helpers/test-pki.js';

/**
 * The public API (src/index.ts) as a program uses it: keys as PEM text, sections as strings,
 * options for clock and randomness, failures as HpvsError with a code, and no global state of
 * the caller touched (process.exitCode, @peculiar/x509's crypto provider).
 */

const tempDir = useTempDir('hpvs-api-');
let pki: TestPki;
const signer = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

beforeAll(async () => {
  pki = await generateTestPki();
}, 60_000);

afterEach(() => {
  // no API call sets an exit code, whatever it throws
  expect(process.exitCode).toBeUndefined();
});

const ENV = buildEnvSection({
  logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'an-api-key-0123456789' } },
  volumes: { data: { seed: 'env-seed-of-the-deployer' } },
});
let WORKLOAD: string;

beforeAll(async () => {
  const { base64 } = await archiveFolder(join(PROJECT_ROOT, 'templates/compose'));
  WORKLOAD = buildWorkloadSection({
    compose: { archive: base64 },
    volumes: { data: { seed: 'workload-seed-of-the-provider', mount: '/mnt/data' } },
  });
});

describe('sections', () => {
  it('encrypts for a PEM certificate and decrypts with the PEM private key, exactly', () => {
    const options = {
      certificate: pki.pem.encryption,
      now: TEST_PKI_AT,
      random: seededRandom('api'),
    };
    const token = encryptSection(WORKLOAD, options);
    expect(token).toMatch(/^hyper-protect-basic\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    // the random source decides every byte of the token
    expect(encryptSection(WORKLOAD, { ...options, random: seededRandom('api') })).toBe(token);
    const leafKey = pki.leafKey.export({ type: 'pkcs8', format: 'pem' });
    expect(decryptSection(token, leafKey).toString('utf8')).toBe(WORKLOAD);
    expect(decryptSection(token, pki.leafKey).toString('utf8')).toBe(WORKLOAD);
  });

  it('fails with stable codes, never an exit code', () => {
    const token = encryptSection('x: 1\n', { certificate: pki.pem.encryption, now: TEST_PKI_AT });
    expect(thrownHpvsError(() => decryptSection(token, signer.privateKey)).code).toBe(
      'DECRYPTION_FAILED',
    );
    expect(thrownHpvsError(() => decryptSection('nonsense', signer.privateKey)).code).toBe(
      'TOKEN_MALFORMED',
    );
    expect(thrownHpvsError(() => encryptSection('x: 1\n', {})).code).toBe('ARGUMENT_INVALID');
    expect(
      thrownHpvsError(() =>
        encryptSection('x: 1\n', { certificate: pki.pem.expired, now: TEST_PKI_AT }),
      ).code,
    ).toBe('CERT_EXPIRED');
    const error = thrownHpvsError(() => decryptSection(token, 'not a key'));
    expect(error).toBeInstanceOf(HpvsError);
    expect(error.code).toBe('PEM_INVALID');
  });

  it('hands the warnings the CLI prints to onWarning', () => {
    const warnings: string[] = [];
    encryptSection('x: 1\n', {
      certificate: pki.pem.nearExpiry,
      now: TEST_PKI_AT,
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([expect.stringMatching(/expires in \d+ days?/)]);
    warnings.length = 0;
    encryptSection('x: 1\n', {
      certificate: signer.publicKey,
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([expect.stringMatching(/2048/)]);
  });

  it("encrypts for IBM's catalogue certificate of a platform, with the platform's prefix", () => {
    const [listing] = listCertificates({ platform: 'ccrt' });
    expect(listing).toBeDefined();
    const now = new Date(new Date(listing!.entry.notBefore).getTime() + 86_400_000);
    const picked = pickCertificate({ platform: 'ccrt', version: listing!.entry.version, now });
    expect(picked.entry.file).toBe(listing!.entry.file);
    const token = encryptSection('type: env\n', {
      platform: 'ccrt',
      certificateVersion: listing!.entry.version,
      now,
    });
    expect(token.startsWith('contract-basic.')).toBe(true);
  });

  it('derives the LUKS passphrase as sha256(env seed || workload seed)', () => {
    expect(deriveLuksPassphrase('env-seed', 'workload-seed')).toBe(
      createHash('sha256').update('env-seedworkload-seed').digest('hex'),
    );
  });
});

describe('contracts', () => {
  it('creates a signed, encrypted contract that verifies, validates and inspects', async () => {
    const created = await createContract({
      workload: WORKLOAD,
      env: ENV,
      encryptionCertificate: pki.pem.encryption,
      signingKey: signer.privateKey,
      now: TEST_PKI_AT,
      random: seededRandom('contract'),
    });
    const parsed = parseUserData(created.text);
    expect(parsed.sections.get('workload')?.form).toBe('token');
    expect(parsed.sections.get('env')?.form).toBe('token');
    const verdict = verifyContract(created.text, { signingKey: signer.publicKey });
    expect(verdict.ok).toBe(true);
    // with env encrypted, the runtime's key reads env.signingKey
    expect(verifyContract(created.text, { decryptKey: pki.leafKey }).keySource).toBe(
      'env.signingKey',
    );
    const report = await validateUserData(created.text, { now: TEST_PKI_AT });
    expect(report.valid).toBe(true);
    expect(report.encrypted).toEqual(['workload', 'env']);
    const inspection = await inspectUserData(created.text, { now: TEST_PKI_AT });
    expect(inspection.signature.present).toBe(true);
  });

  it('signs a plaintext contract and sees a changed one fail verification', async () => {
    const { text } = await completeContract(
      `workload: |\n${indent(WORKLOAD)}env: |\n${indent(ENV)}`,
      { signingKey: signer.privateKey, now: TEST_PKI_AT },
    );
    expect(verifyContract(text).ok).toBe(true);
    const changed = text.replace('workload-seed-of-the-provider', 'workload-seed-of-an-attacker');
    expect(verifyContract(changed).signatureValid).toBe(false);
    const resigned = signContract(changed, signer.privateKey);
    expect(verifyContract(resigned.text).ok).toBe(true);
  });

  it('reports validation problems with positions instead of throwing', async () => {
    const report = await validateSection('env', 'type: env\nvolumes:\n  data:\n    seed: short\n', {
      source: 'env.yaml',
    });
    expect(report.valid).toBe(false);
    const seed = report.problems.find((problem) => problem.path === 'env.volumes.data.seed');
    expect(seed).toMatchObject({ severity: 'error', source: 'env.yaml', line: 4 });
    const invalid = await rejectedHpvsError(
      createContract({ workload: WORKLOAD, env: 'type: env\n', now: TEST_PKI_AT }),
    );
    expect(invalid.code).toBe('CONTRACT_INVALID');
  });
});

describe('certificates and attestation', () => {
  const trust = () => ({
    chain: [pki.pem.intermediate],
    roots: [pki.pem.root],
    crls: [pki.pem.intermediateCrl, pki.pem.rootCrl],
    now: TEST_PKI_AT,
  });

  it('verifies a chain with CRLs and says why a revoked certificate fails', async () => {
    const good = await verifyCertificateChain({ certificate: pki.pem.attestation, ...trust() });
    expect(good.chain.ok).toBe(true);
    expect(good.chain.checks.map((check) => check.status)).toEqual(['pass', 'pass', 'pass']);
    const revoked = await verifyCertificateChain({
      certificate: { bytes: pki.pem.revoked, source: 'revoked.crt' },
      ...trust(),
    });
    expect(revoked.chain.ok).toBe(false);
    expect(revoked.chain.checks[2]).toMatchObject({ id: 'crl', status: 'fail' });
    expect(revoked.chain.checks[2].detail).toMatch(/revoked on 2026-05-01/);
  });

  it('verifies and decrypts an encrypted attestation record', async () => {
    const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const userData = `workload: ${JSON.stringify(WORKLOAD)}\nenv: ${JSON.stringify(ENV)}\n`;
    const bundle = makeRecordBundle({
      userData,
      attestationKey: pki.leafKey,
      auditorPublicKey: auditor.publicKey,
    });
    const report = await verifyAttestationRecord({
      record: bundle.recordFile,
      signature: bundle.signature,
      certificate: pki.pem.attestation,
      ...trust(),
      auditorKey: auditor.privateKey,
      contract: userData,
      reference: REFERENCE_FILE_TEXT,
    });
    expect(report.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(decryptAttestationRecord(bundle.recordFile, auditor.privateKey)).toEqual(bundle.record);
    const forged = await verifyAttestationRecord({
      record: bundle.recordFile,
      signature: Buffer.from(bundle.signature).fill(1, 0, 8),
      certificate: pki.pem.attestation,
      ...trust(),
      auditorKey: auditor.privateKey,
    });
    expect(forged.ok).toBe(false);
    expect(forged.checks.find((check) => check.id === 'signature')?.status).toBe('fail');
  });

  it("neither changes nor uses the caller's @peculiar/x509 crypto provider", async () => {
    // a program that set its own provider, and counts what goes through it
    let used = 0;
    const own = {
      subtle: new Proxy(webcrypto.subtle, {
        get(target, property) {
          used++;
          const value = Reflect.get(target, property) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
      getRandomValues: (array: Uint8Array) => {
        used++;
        return webcrypto.getRandomValues(array);
      },
    } as unknown as NonNullable<Parameters<typeof x509.X509CrlGenerator.create>[1]>;
    const before = x509.cryptoProvider.get();
    x509.cryptoProvider.set(own);
    try {
      // loading the library after the program set its provider leaves that provider too
      vi.resetModules();
      const { verifyCertificateChain, createContract } = await import('../src/index.js');
      const checked = await verifyCertificateChain({
        certificate: pki.pem.attestation,
        ...trust(),
      });
      expect(checked.chain.ok).toBe(true);
      // contract expiry issues a certificate through @peculiar/x509
      const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const caCertificate = await (
        await import('../src/core/pki/issue-certificate.js')
      ).issueCertificate({
        subject: 'CN=deployer CA',
        publicKey: ca.publicKey,
        selfSigningKey: ca.privateKey,
        role: 'root-ca',
        notBefore: new Date(TEST_PKI_AT.getTime() - 86_400_000),
        notAfter: new Date(TEST_PKI_AT.getTime() + 365 * 86_400_000),
      });
      const created = await createContract({
        workload: WORKLOAD,
        env: ENV,
        signingKey: signer.privateKey,
        expiry: { days: 30, caCertificate, caPrivateKey: ca.privateKey },
        now: TEST_PKI_AT,
      });
      expect(created.signingCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(x509.cryptoProvider.get()).toBe(own);
      expect(used).toBe(0);
    } finally {
      x509.cryptoProvider.set(before);
    }
  });
});

describe('keys, certificates, images and network config', () => {
  it('generates a key pair whose private key needs its passphrase', async () => {
    const pair = await generateKeyPair({ bits: 2048, passphrase: 'a passphrase' });
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => createPrivateKey(pair.privateKeyPem)).toThrow();
    const key = createPrivateKey({ key: pair.privateKeyPem, passphrase: 'a passphrase' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('makes syslog TLS certificates issued by their CA for the host', async () => {
    const tls = await createSyslogCertificates({ hostname: 'logs.example.com', bits: 2048 });
    const ca = new X509Certificate(tls.caCertificatePem);
    const server = new X509Certificate(tls.serverCertificatePem);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('logs.example.com')).toBe('logs.example.com');
    expect(new X509Certificate(tls.clientCertificatePem).verify(ca.publicKey)).toBe(true);
  });

  it('selects the highest matching HPCR image from a VPC image list', () => {
    const image = (minor: number, id: string) => ({
      id,
      name: `ibm-hyper-protect-container-runtime-1-0-s390x-${minor}`,
      status: 'available',
      visibility: 'public',
      operating_system: { name: 'hyper-protect-1-0-s390x-hpcr', architecture: 's390x' },
      file: { checksums: { sha256: 'ab'.repeat(32) } },
    });
    const list = JSON.stringify({ images: [image(21, 'r-21'), image(22, 'r-22')] });
    expect(selectImage(list).image).toMatchObject({ id: 'r-22', version: '1.0.22' });
    expect(selectImage(list, { version: '1.0.21' }).image.id).toBe('r-21');
    expect(thrownHpvsError(() => selectImage('[]')).code).toBe('IMAGE_NOT_FOUND');
  });

  it('validates a network-config', () => {
    const good = 'network:\n  version: 2\n  ethernets:\n    enc1:\n      dhcp4: true\n';
    expect(validateNetworkConfig(good).valid).toBe(true);
    expect(validateNetworkConfig(good.replace('version: 2', 'version: 1')).valid).toBe(false);
  });
});

describe('confidential containers', () => {
  it('wraps an encrypted contract as initdata and reads it back from a pod', async () => {
    const { text } = await createContract({
      workload: WORKLOAD,
      env: ENV,
      encryptionCertificate: pki.pem.encryption,
      now: TEST_PKI_AT,
    });
    expect(
      thrownHpvsError(() => buildInitdata(`workload: ${JSON.stringify(WORKLOAD)}\n`)).code,
    ).toBe('CONTRACT_INVALID');
    const built = buildInitdata(text);
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  annotations:\n    io.katacontainers.config.runtime.cc_init_data: ${built.value}\n`;
    expect(decodeInitdata(pod, { source: 'pod.yaml' }).contract).toBe(text);
    expect(decodeInitdata(built.value).contract).toBe(text);
  });

  it('generates the agent policy of a pod and seals a secret only its keys open', () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: docker.io/library/busybox:1.36\n';
    const { policy } = generateAgentPolicy(pod);
    expect(policy).toContain('docker.io/library/busybox:1.36');
    const decryption = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sealed = sealSecret('db-password', {
      type: 'env',
      encryptionKey: decryption.publicKey,
      signingKey: signing.privateKey,
    });
    const keys = { verificationKey: signing.publicKey, decryptionKey: decryption.privateKey };
    expect(unsealSecret(sealed, { ...keys, type: 'env' }).toString()).toBe('db-password');
    expect(thrownHpvsError(() => unsealSecret(sealed, { ...keys, type: 'workload' })).code).toBe(
      'DECRYPTION_FAILED',
    );
  });
});

describe('emulator', () => {
  it('creates a state and boots a contract, printing the console and never exiting', async () => {
    const stateDir = join(tempDir(), 'hpcr');
    const paths = await createEmulator({ stateDir, keyBits: 2048 });
    expect(existsSync(paths.encryptionCertificate)).toBe(true);
    // encrypted for another runtime: the emulated one cannot open it and fails the boot
    const userData = (
      await createContract({
        workload: WORKLOAD,
        env: ENV,
        encryptionCertificate: pki.pem.encryption,
        now: TEST_PKI_AT,
      })
    ).text;
    const printed: string[] = [];
    const result = await bootEmulator({
      stateDir,
      userData,
      print: (line) => printed.push(line),
    });
    expect(result.ok).toBe(false);
    expect(printed.join('\n')).toMatch(/HPL10000E/);
    expect(result.lines.length).toBeGreaterThan(0);
  }, 60_000);
});

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
