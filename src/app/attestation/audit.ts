import type { KeyObject } from 'node:crypto';
import { parseReferenceValues } from '../../core/attestation/reference-values.js';
import type { SourcedBytes } from '../../core/attestation/verify-record.js';
import type { SeedImageContents } from '../../core/attestation/cidata-digests.js';
import {
  checkCertificate,
  type CheckedCertificate,
  type TrustMaterial,
} from '../../core/pki/check-certificate.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import {
  verifyAttestation,
  type AttestationReport,
  type RecordOptions,
} from './verify-attestation.js';
import { certificatePublicKey, type BundleResult } from './verify-batch.js';

/**
 * `attestation verify`: what every record of an audit shares (the attestation certificate and
 * its chain, the auditor's key, the reference values, the expected contract), then one record
 * (`auditRecord`) or a folder of bundles (`auditBundleFolder`).
 */
export interface AuditInputs {
  certificate: SourcedBytes;
  trust: Omit<TrustMaterial, 'certificate' | 'role'>;
  auditorKey?: KeyObject | undefined;
  /** The expected image values, lines "<sha256> <name>". */
  reference?: SourcedBytes | undefined;
  /** The user-data the instance should run. */
  contract?: SourcedBytes | undefined;
}

export interface Audit {
  certificate: SourcedBytes;
  /** Running while the records are read and verified; awaited when the report is made. */
  checked: Promise<CheckedCertificate>;
  contract: SourcedBytes | undefined;
  options: RecordOptions;
}

/** Starts the chain check of the attestation certificate: not awaited, so records verify meanwhile. */
export function startAudit(inputs: AuditInputs): Audit {
  const checked = checkCertificate({
    certificate: inputs.certificate,
    role: 'attestation certificate',
    ...inputs.trust,
  });
  // awaited later: marked handled now, so an early failure is not an unhandled rejection
  checked.catch(() => undefined);
  return {
    certificate: inputs.certificate,
    checked,
    contract: inputs.contract,
    options: {
      auditorKey: inputs.auditorKey,
      reference:
        inputs.reference === undefined
          ? undefined
          : {
              values: parseReferenceValues(inputs.reference.bytes, inputs.reference.source),
              source: inputs.reference.source,
            },
    },
  };
}

/** One record: its checks joined with the certificate's. */
export async function auditRecord(
  audit: Audit,
  files: {
    record: SourcedBytes;
    signature: SourcedBytes;
    cidata?: (SeedImageContents & { source: string }) | undefined;
  },
): Promise<AttestationReport> {
  const checked = await audit.checked;
  return verifyAttestation(
    { publicKey: checked.publicKey, source: checked.source, checks: checked.chain.checks },
    { ...files, contract: audit.contract },
    audit.options,
  );
}

/** Every bundle folder under `dir`, on all cores, while the chain is still being checked. */
export async function auditBundleFolder(
  audit: Audit,
  dir: string,
): Promise<{ results: BundleResult[]; chainChecks: readonly VerificationCheck[] }> {
  const { verifyBundleFolder } = await import('./verify-bundle-folder.js');
  // node:crypto reads the key at once, so the threads need not wait for the x509 library
  const publicKey =
    certificatePublicKey(audit.certificate.bytes) ?? (await audit.checked).publicKey;
  const chainChecks = audit.checked.then((result) => result.chain.checks);
  chainChecks.catch(() => undefined);
  const results = await verifyBundleFolder(
    dir,
    { certificate: { publicKey, source: audit.certificate.source }, options: audit.options },
    chainChecks,
    audit.contract,
  );
  return { results, chainChecks: await chainChecks };
}
