import type { KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  contractDigests,
  contractRecordHashes,
} from '../../src/core/attestation/contract-digests.js';
import { formatRecord } from '../../src/core/attestation/record.js';
import { signRecord } from '../../src/core/attestation/record-signature.js';
import { parseUserData } from '../../src/core/contract/user-data.js';
import { encryptSection } from '../../src/core/crypto/encrypt-section.js';
import type { RandomSource } from '../../src/core/crypto/random-source.js';
import { systemRandom } from '../../src/node/random.js';

/**
 * Attestation record bundles as the runtime writes them, made from the project's own record
 * formatter, contract digests, signer and section encryption (used by the tests and by
 * bench/attestation-batch.mjs).
 */

/** The reference values the generated records carry for the image. */
export const IMAGE_REFERENCE = {
  'root.tar.gz': 'b15f712f9164f8c246fa68973881055efec9f1001ef41c66f5eb928ed6119e0a',
  baseimage: 'ec56a5903ecf4823c4e7b076c30d4cdf62e88d0dd87efb0762f4d445f383d8b6',
} as const;

export const REFERENCE_FILE_TEXT = `# HPCR 25.11.0 reference values\n${Object.entries(
  IMAGE_REFERENCE,
)
  .map(([name, sha256]) => `${sha256} ${name}`)
  .join('\n')}\n`;

/** A user-data.yaml with encrypted-looking sections and an attestation key block scalar. */
export function sampleUserData(options: { env?: string; comment?: string } = {}): string {
  return [
    `# ${options.comment ?? 'deployed by the test suite'}`,
    'workload: hyper-protect-basic.d29ya2xvYWQ=.d29ya2xvYWQtZGF0YQ==',
    `env: ${options.env ?? 'hyper-protect-basic.ZW52.ZW52LWRhdGE='}`,
    'attestationPublicKey: |',
    '  -----BEGIN PUBLIC KEY-----',
    '  MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMJp3Ltb3fWnIFm0GKp2oYbTUs7Q8JpE',
    '  -----END PUBLIC KEY-----',
    'envWorkloadSignature: c2lnbmF0dXJl',
    '',
  ].join('\n');
}

export interface BundleSpec {
  userData: string;
  attestationKey: KeyObject;
  /** Encrypts the record (`se-checksums.txt.enc`) for this key when given. */
  auditorPublicKey?: KeyObject;
  version?: string;
  /** More `Key: value` lines after the machine and image-age lines. */
  extraKeyValues?: [string, string][];
  random?: RandomSource;
}

export interface RecordBundle {
  /** The plaintext record: exactly what is signed. */
  record: Buffer;
  /** `se-checksums.txt` or `se-checksums.txt.enc`. */
  recordName: string;
  recordFile: Buffer;
  signature: Buffer;
}

export function makeRecordBundle(spec: BundleSpec): RecordBundle {
  const digests = contractDigests(
    Buffer.from(spec.userData),
    parseUserData(spec.userData, 'user-data.yaml'),
  );
  const text = formatRecord({
    version: spec.version ?? '25.11.0',
    keyValues: [
      ['Machine Type/Plant/Serial', '9175/02/C25B8'],
      ['Image age', '3 days since creation.'],
      ...(spec.extraKeyValues ?? []),
    ],
    hashes: [
      { sha256: IMAGE_REFERENCE['root.tar.gz'], name: 'root.tar.gz' },
      { sha256: IMAGE_REFERENCE.baseimage, name: 'baseimage' },
      ...contractRecordHashes(digests),
    ],
  });
  const record = Buffer.from(text);
  const signature = signRecord(record, spec.attestationKey);
  if (spec.auditorPublicKey === undefined) {
    return { record, recordName: 'se-checksums.txt', recordFile: record, signature };
  }
  const token = encryptSection(record, spec.auditorPublicKey, spec.random ?? systemRandom);
  return {
    record,
    recordName: 'se-checksums.txt.enc',
    recordFile: Buffer.from(token),
    signature,
  };
}

/** Writes a bundle folder as an auditor collects it; returns the record and signature paths. */
export function writeRecordBundle(
  dir: string,
  bundle: RecordBundle,
  userData?: string,
): { record: string; signature: string } {
  mkdirSync(dir, { recursive: true });
  const record = join(dir, bundle.recordName);
  const signature = join(dir, 'se-signature.bin');
  writeFileSync(record, bundle.recordFile);
  writeFileSync(signature, bundle.signature);
  if (userData !== undefined) writeFileSync(join(dir, 'user-data.yaml'), userData);
  return { record, signature };
}
