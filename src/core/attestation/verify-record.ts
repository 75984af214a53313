import { input, worded } from '../wording.js';
import type { KeyObject } from 'node:crypto';
import type { RandomSource } from '../crypto/random-source.js';
import { looksLikeSectionToken } from '../crypto/section-token.js';
import { HpvsError, tokenCannotBeOpened } from '../errors.js';
import type { VerificationCheck } from '../pki/verification-check.js';
import {
  CIDATA_DEVICE_NAME,
  CIDATA_FILE_NAMES,
  cidataFileRecordName,
  type SeedImageContents,
} from './cidata-digests.js';
import { contractDigests, sha256Hex, type ContractDigests } from './contract-digests.js';
import { parseRecord, type AttestationRecord, type RecordHash } from './record.js';
import { contractSectionOf, USER_DATA_NAME } from './record-names.js';
import { decryptRecord, verifyRecordSignature } from './record-signature.js';
import type { ReferenceValue } from './reference-values.js';

/**
 * The checks that concern one record bundle (`se-checksums.txt[.enc]` + `se-signature.bin`):
 * decrypt, signature, contract and reference comparisons. The certificate chain is the same for
 * every bundle of an image, so it is checked once elsewhere (see `verifyChain`).
 */

export interface SourcedBytes {
  bytes: Uint8Array;
  source: string;
}

export interface RecordBundleInput {
  record: SourcedBytes;
  signature: SourcedBytes;
  /** The public key of the attestation certificate. */
  attestationKey: KeyObject;
  certificateSource: string;
  /** The auditor's private key, needed when the record is encrypted. */
  auditorKey?: KeyObject | undefined;
  /** Draws the stand-in password a failed decryption runs with (see `decryptSection`). */
  random: RandomSource;
  /** The user-data the auditor expects the instance to run. */
  contract?: SourcedBytes | undefined;
  /**
   * The user-data a bundle carries along (`user-data.yaml` beside the record): what the instance
   * claims to run. It never replaces the auditor's `contract`: with one it is compared to it in
   * addition (`contract:bundle-user-data`); without one it is what the record is compared to.
   */
  bundleContract?: SourcedBytes | undefined;
  reference?: { values: readonly ReferenceValue[]; source: string } | undefined;
  /** The seed image the instance booted from (`attestation verify --cidata`), as extracted. */
  cidata?: (SeedImageContents & { source: string }) | undefined;
}

export interface RecordBundleVerification {
  record: AttestationRecord;
  decrypt: VerificationCheck;
  signature: VerificationCheck;
  contract: VerificationCheck[];
  reference: VerificationCheck[];
}

export async function verifyRecordBundle(
  input: RecordBundleInput,
): Promise<RecordBundleVerification> {
  const { bytes: plaintext, decrypt } = openRecord(input.record, input.auditorKey, input.random);
  const record = parseRecord(plaintext, input.record.source);
  const verdict = verifyRecordSignature(record.bytes, input.signature.bytes, input.attestationKey, {
    signature: input.signature.source,
    certificate: input.certificateSource,
  });
  const signature: VerificationCheck = {
    id: 'signature',
    status: verdict.valid ? 'pass' : 'fail',
    detail: verdict.detail,
  };
  const expected = input.contract ?? input.bundleContract;
  const contract = expected ? await contractChecks(record, expected) : [];
  if (input.contract && input.bundleContract) {
    contract.push(bundleContractCheck(input.contract, input.bundleContract));
  }
  if (input.cidata) contract.push(...cidataChecks(record, input.cidata));
  const reference = input.reference ? referenceChecks(record, input.reference) : [];
  return { record, decrypt, signature, contract, reference };
}

/**
 * Returns the record's plaintext: decrypted when it is a token (the `.enc` form), as is
 * otherwise. A wrong key, a bad padding and a plaintext that is not an attestation record all
 * throw the one `tokenCannotBeOpened` error, from one place: see there for the padding oracle a
 * second message would open. A malformed token is visible without the key and says what is wrong.
 */
export function openRecord(
  record: SourcedBytes,
  auditorKey: KeyObject | undefined,
  random: RandomSource,
): { bytes: Buffer; decrypt: VerificationCheck } {
  const { bytes, source } = record;
  const text = Buffer.from(bytes).toString('latin1');
  if (!looksLikeSectionToken(text)) {
    return {
      bytes: Buffer.from(bytes),
      decrypt: {
        id: 'decrypt',
        status: 'skip',
        detail: `${source} is a plaintext record (the contract had no attestationPublicKey)`,
      },
    };
  }
  if (auditorKey === undefined) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`${source} is encrypted: ${input('auditor-key')}`,
    );
  }
  let plaintext: Buffer | undefined;
  try {
    plaintext = decryptRecord(text, auditorKey, random);
  } catch (error) {
    if (error instanceof HpvsError && error.code === 'TOKEN_MALFORMED') {
      throw new HpvsError('RECORD_INVALID', `${source}: ${error.message}`, { cause: error });
    }
    if (!(error instanceof HpvsError) || error.code !== 'DECRYPTION_FAILED') throw error;
  }
  if (plaintext === undefined || !readsAsRecord(plaintext, source)) {
    throw tokenCannotBeOpened(`${source}: the attestation record`);
  }
  return {
    bytes: plaintext,
    decrypt: {
      id: 'decrypt',
      status: 'pass',
      detail: `${source} opened with the auditor key (${plaintext.length} bytes)`,
    },
  };
}

function readsAsRecord(plaintext: Buffer, source: string): boolean {
  try {
    parseRecord(plaintext, source);
    return true;
  } catch {
    // whatever the reason, saying it would tell good padding apart (see `tokenCannotBeOpened`)
    return false;
  }
}

async function contractChecks(
  record: AttestationRecord,
  contract: SourcedBytes,
): Promise<VerificationCheck[]> {
  const { parseUserData } = await import('../contract/user-data.js');
  const text = Buffer.from(contract.bytes).toString('utf8');
  const digests = contractDigests(contract.bytes, parseUserData(text, contract.source));
  const checks = [userDataCheck(record, contract.source, digests)];
  const compared = new Set<string>();
  for (const line of record.hashes) {
    const section = contractSectionOf(line.name);
    if (section === undefined || compared.has(section)) continue;
    compared.add(section);
    checks.push(sectionCheck(record, section, contract.source, digests));
  }
  for (const section of digests.sections.keys()) {
    if (compared.has(section)) continue;
    checks.push({
      id: `contract:${section}`,
      status: 'skip',
      detail: `the record has no line for the section ${section} of ${contract.source} (older images do not list every section)`,
    });
  }
  return checks;
}

/** The bundle's own user-data must be byte for byte the user-data the auditor expects. */
function bundleContractCheck(expected: SourcedBytes, carried: SourcedBytes): VerificationCheck {
  const want = sha256Hex(expected.bytes);
  const have = sha256Hex(carried.bytes);
  return want === have
    ? {
        id: 'contract:bundle-user-data',
        status: 'pass',
        detail: `${carried.source} is byte for byte the expected ${expected.source} (${short(want)})`,
      }
    : {
        id: 'contract:bundle-user-data',
        status: 'fail',
        detail: `${carried.source} (${short(have)}) differs from the expected ${expected.source} (${short(want)}): the bundle claims other user data than the one expected`,
      };
}

function userDataCheck(
  record: AttestationRecord,
  source: string,
  digests: ContractDigests,
): VerificationCheck {
  const lines = record.hashes.filter((line) => line.name === USER_DATA_NAME);
  return compareLines('contract:user-data', lines, digests.userData, {
    missing: `the record has no ${USER_DATA_NAME} line to compare ${source} with`,
    what: `sha256 of the exact bytes of ${source}`,
    mismatchHint: 'the instance was booted with different user data',
  });
}

function sectionCheck(
  record: AttestationRecord,
  section: string,
  source: string,
  digests: ContractDigests,
): VerificationCheck {
  const id = `contract:${section}`;
  const lines = record.hashes.filter((line) => contractSectionOf(line.name) === section);
  const digest = digests.sections.get(section);
  if (digest === undefined) {
    return {
      id,
      status: 'fail',
      detail: `the record lists "${lines[0]!.name}" (line ${lines[0]!.line}) but ${source} has no ${section} section`,
    };
  }
  return compareLines(id, lines, digest.sha256, {
    missing: '',
    what: `sha256 of the ${section} value in ${source}`,
    mismatchHint: digest.plaintext
      ? `the section differs (note: ${section} is plaintext in ${source}, and the runtime's digest of a plaintext section is inferred as its dedented source text)`
      : 'the instance runs a different section',
  });
}

/**
 * One check per seed-disk line: the image's bytes, then each file the image or the record has
 * (a file on one side only is a failure: the instance did not boot from this image).
 */
function cidataChecks(
  record: AttestationRecord,
  seed: SeedImageContents & { source: string },
): VerificationCheck[] {
  const checks = [
    compareLines(
      'cidata:image',
      record.hashes.filter((line) => line.name === CIDATA_DEVICE_NAME),
      sha256Hex(seed.image),
      {
        missing: `the record has no ${CIDATA_DEVICE_NAME} line to compare ${seed.source} with`,
        what: `sha256 of the exact bytes of ${seed.source}`,
        mismatchHint: 'the instance booted from a different seed image',
      },
    ),
  ];
  for (const name of CIDATA_FILE_NAMES) {
    const recordName = cidataFileRecordName(name);
    const lines = record.hashes.filter((line) => line.name === recordName);
    const data = seed.files[name];
    const id = `cidata:${name}`;
    if (data === undefined) {
      if (lines.length > 0) {
        checks.push({
          id,
          status: 'fail',
          detail: `the record lists ${recordName} (line ${lines[0]!.line}) but ${seed.source} has no ${name}`,
        });
      }
      continue;
    }
    checks.push(
      compareLines(id, lines, sha256Hex(data), {
        missing: `the record has no ${recordName} line, but ${seed.source} holds ${name}`,
        what: `sha256 of ${name} in ${seed.source}`,
        mismatchHint: `the instance booted with a different ${name}`,
      }),
    );
  }
  return checks;
}

function referenceChecks(
  record: AttestationRecord,
  reference: { values: readonly ReferenceValue[]; source: string },
): VerificationCheck[] {
  return reference.values.map((value) =>
    compareLines(
      `reference:${value.name}`,
      record.hashes.filter((line) => line.name === value.name),
      value.sha256,
      {
        missing: `the record has no ${value.name} line (${reference.source}:${value.line} expects ${short(value.sha256)})`,
        what: `reference value in ${reference.source}:${value.line}`,
        mismatchHint: 'the image is not the one the reference describes',
      },
    ),
  );
}

function compareLines(
  id: string,
  lines: readonly RecordHash[],
  expected: string,
  text: { missing: string; what: string; mismatchHint: string },
): VerificationCheck {
  if (lines.length === 0) return { id, status: 'fail', detail: text.missing };
  const wrong = lines.filter((line) => line.sha256 !== expected);
  if (wrong.length === 0) {
    return {
      id,
      status: 'pass',
      detail: `record line ${lines.map((line) => line.line).join(', ')} equals the ${text.what} (${short(expected)})`,
    };
  }
  const first = wrong[0]!;
  return {
    id,
    status: 'fail',
    detail: `record line ${first.line} "${first.name}" has ${short(first.sha256)}, the ${text.what} is ${short(expected)}: ${text.mismatchHint}`,
  };
}

function short(sha256: string): string {
  return `${sha256.slice(0, 12)}...`;
}

/** The record's own checks, without the record (what a batch thread sends back). */
export type RecordChecks = Pick<
  RecordBundleVerification,
  'decrypt' | 'signature' | 'contract' | 'reference'
>;

/** All checks of one bundle in the order they are reported. */
export function orderChecks(
  bundle: RecordChecks,
  chainChecks: readonly VerificationCheck[],
): VerificationCheck[] {
  return [
    bundle.decrypt,
    bundle.signature,
    ...chainChecks,
    ...bundle.contract,
    ...bundle.reference,
  ];
}
