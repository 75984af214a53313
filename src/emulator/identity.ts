import { createHash, type KeyObject } from 'node:crypto';
import { createCrl } from '../core/pki/create-crl.js';
import { issueCertificate, randomSerialNumber } from '../core/pki/issue-certificate.js';
import { exportPrivateKeyPem, generateRsaKeyPair } from '../core/pki/rsa-key-pair.js';
import { addDays } from '../core/days.js';

/**
 * The emulated runtime's identity: what IBM builds per image version (an intermediate CA under
 * a root, an encryption certificate and an attestation certificate, RSA-4096 signed with
 * sha512WithRSAEncryption, each CA publishing a CRL) plus the reference values an auditor
 * compares the record with. Load with `await import()`: it pulls in @peculiar/x509.
 */
export interface EmulatorIdentity {
  imageVersion: string;
  createdAt: string;
  machine: { type: string; plant: string; serial: string };
  /** sha256 values the record reports for `root.tar.gz` and `baseimage`. */
  reference: { rootTarGz: string; baseimage: string };
  public: {
    rootCertificatePem: string;
    intermediateCertificatePem: string;
    encryptionCertificatePem: string;
    attestationCertificatePem: string;
    rootCrlPem: string;
    intermediateCrlPem: string;
  };
  private: {
    rootKeyPem: string;
    intermediateKeyPem: string;
    encryptionKeyPem: string;
    attestationKeyPem: string;
  };
}

export interface CreateIdentityOptions {
  imageVersion: string;
  now: Date;
  /** RSA modulus of all four keys; 4096 like IBM's. Smaller only to make tests faster. */
  keyBits?: number;
}

// A few minutes in the past, so a log server or auditor whose clock lags a little does not see
// certificates that are "not yet valid".
const BACKDATE_MS = 5 * 60 * 1000;
const ORGANIZATION = 'O=hpvs-ctl emulator (not an IBM runtime)';
// RFC 2606 reserves .invalid: the distribution points say where a CRL would live without
// pointing anywhere real; the CRLs themselves are published in the state's public folder.
const CRL_BASE = 'https://hpcr-emulator.invalid/crl';

export async function createEmulatorIdentity(
  options: CreateIdentityOptions,
): Promise<EmulatorIdentity> {
  const bits = options.keyBits ?? 4096;
  const version = options.imageVersion;
  const notBefore = new Date(options.now.getTime() - BACKDATE_MS);
  const years = (n: number) => addDays(options.now, n * 365);
  const [root, intermediate, encryption, attestation] = await Promise.all([
    generateRsaKeyPair(bits),
    generateRsaKeyPair(bits),
    generateRsaKeyPair(bits),
    generateRsaKeyPair(bits),
  ]);
  const hash = 'SHA-512' as const;
  const rootCertificatePem = await issueCertificate({
    subject: `CN=HPCR emulator root CA, ${ORGANIZATION}`,
    publicKey: root.publicKey,
    selfSigningKey: root.privateKey,
    role: 'root-ca',
    notBefore,
    notAfter: years(10),
    hash,
  });
  const rootIssuer = { certificatePem: rootCertificatePem, privateKey: root.privateKey };
  const intermediateCertificatePem = await issueCertificate({
    subject: `CN=HPCR emulator intermediate ${version}, ${ORGANIZATION}`,
    publicKey: intermediate.publicKey,
    issuer: rootIssuer,
    role: 'intermediate-ca',
    notBefore,
    notAfter: years(5),
    hash,
    crlDistributionPoints: [`${CRL_BASE}/root.crl`],
  });
  const intermediateIssuer = {
    certificatePem: intermediateCertificatePem,
    privateKey: intermediate.privateKey,
  };
  const leaf = (role: 'encryption' | 'attestation', publicKey: KeyObject) =>
    issueCertificate({
      subject: `CN=hpcr-emulator-${version}-${role === 'encryption' ? 'encrypt' : 'attestation'}, ${ORGANIZATION}`,
      publicKey,
      issuer: intermediateIssuer,
      role,
      notBefore,
      notAfter: years(1),
      hash,
      crlDistributionPoints: [`${CRL_BASE}/intermediate.crl`],
    });
  const crl = (issuer: { certificatePem: string; privateKey: KeyObject }) =>
    createCrl({
      issuerCertificatePem: issuer.certificatePem,
      issuerPrivateKey: issuer.privateKey,
      thisUpdate: notBefore,
      nextUpdate: years(1),
      hash,
    });
  const [encryptionCertificatePem, attestationCertificatePem, rootCrlPem, intermediateCrlPem] =
    await Promise.all([
      leaf('encryption', encryption.publicKey),
      leaf('attestation', attestation.publicKey),
      crl(rootIssuer),
      crl(intermediateIssuer),
    ]);
  const serial = randomSerialNumber().slice(0, 5).toUpperCase();
  return {
    imageVersion: version,
    createdAt: options.now.toISOString(),
    machine: { type: 'EMU1', plant: '00', serial },
    reference: {
      rootTarGz: referenceValue(version, 'root.tar.gz'),
      baseimage: referenceValue(version, 'baseimage'),
    },
    public: {
      rootCertificatePem,
      intermediateCertificatePem,
      encryptionCertificatePem,
      attestationCertificatePem,
      rootCrlPem,
      intermediateCrlPem,
    },
    private: {
      rootKeyPem: exportPrivateKeyPem(root.privateKey),
      intermediateKeyPem: exportPrivateKeyPem(intermediate.privateKey),
      encryptionKeyPem: exportPrivateKeyPem(encryption.privateKey),
      attestationKeyPem: exportPrivateKeyPem(attestation.privateKey),
    },
  };
}

/**
 * The emulator has no root file system image to hash, so its reference values are fixed per
 * image version: the same version always reports the same values, as a real image does.
 */
export function referenceValue(imageVersion: string, name: string): string {
  return createHash('sha256').update(`hpvs-ctl emulator ${imageVersion} ${name}`).digest('hex');
}
