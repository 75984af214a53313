import { input, worded } from '../wording.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import { parseCertificates, parseCrls } from './parse-pki.js';
import {
  summarize,
  verifyChain,
  type CertificateSummary,
  type ChainVerification,
} from './verify-chain.js';

export interface SourcedFile {
  bytes: Uint8Array;
  source: string;
}

export interface TrustMaterial {
  certificate: SourcedFile;
  chain: readonly SourcedFile[];
  roots: readonly SourcedFile[];
  crls: readonly SourcedFile[];
  at: Date;
  allowMissingCrl: boolean;
  /** A root that is not self-signed is a trust anchor too (openssl's `-partial_chain`). */
  partialChain?: boolean;
  /** Without any root the chain and CRL checks are SKIP instead of FAIL (`certs verify`). */
  skipChainWithoutRoots?: boolean;
  /** How messages call the certificate: "attestation certificate", "certificate". */
  role: string;
}

export interface CheckedCertificate {
  source: string;
  leaf: CertificateSummary;
  /** The certificate's public key, for checking what it signed. */
  publicKey: KeyObject;
  chain: ChainVerification;
}

/** Parses the files (PEM bundles or DER) and verifies the certificate's chain, validity and CRLs. */
export async function checkCertificate(material: TrustMaterial): Promise<CheckedCertificate> {
  const { certificate } = material;
  const leaves = parseCertificates(certificate.bytes, certificate.source);
  if (leaves.length !== 1) {
    throw new HpvsError(
      'CERT_INVALID',
      worded`${certificate.source}: holds ${leaves.length} certificates; ${input('chain-and-root')}`,
    );
  }
  const chain = await verifyChain({
    leaf: leaves[0]!,
    leafRole: material.role,
    intermediates: material.chain.flatMap((file) => parseCertificates(file.bytes, file.source)),
    roots: material.roots.flatMap((file) => parseCertificates(file.bytes, file.source)),
    crls: material.crls.flatMap((file) => parseCrls(file.bytes, file.source)),
    at: material.at,
    allowMissingCrl: material.allowMissingCrl,
    partialChain: material.partialChain ?? false,
    skipChainWithoutRoots: material.skipChainWithoutRoots ?? false,
  });
  const publicKey = createPublicKey({
    key: Buffer.from(leaves[0]!.certificate.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  return { source: certificate.source, leaf: summarize(leaves[0]!), publicKey, chain };
}
