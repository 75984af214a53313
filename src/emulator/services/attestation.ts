import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cidataRecordHashes } from '../../core/attestation/cidata-digests.js';
import { contractDigests, contractRecordHashes } from '../../core/attestation/contract-digests.js';
import { signRecord } from '../../core/attestation/record-signature.js';
import { formatRecord } from '../../core/attestation/record.js';
import { encryptSection } from '../../core/crypto/encrypt-section.js';
import { parsePublicKeyOrCertificate } from '../../core/crypto/keys.js';
import { writeFileAtomic } from '../../node/write-output.js';
import { ServiceFailure, type BootContext } from '../boot-context.js';
import { messageOf } from './bootloader.js';
import { wholeDaysBetween } from '../../core/days.js';

export const ATTESTATION = 'hpl-attestation';

/** The record text (SPEC 6) for this boot: exactly the bytes that get signed. */
export function buildRecord(context: BootContext): string {
  const state = context.state;
  const ageDays = Math.max(0, wholeDaysBetween(new Date(state.createdAt), context.now));
  const hashes = [
    { sha256: state.reference.rootTarGz, name: 'root.tar.gz' },
    { sha256: state.reference.baseimage, name: 'baseimage' },
    // sections as submitted: for an encrypted section the digest covers the whole token
    ...(context.cidata === undefined ? [] : cidataRecordHashes(context.cidata).slice(0, 1)),
    ...contractRecordHashes(contractDigests(context.userData, context.submitted!)),
    // the other files of the seed disk (meta-data, network-config) after the user data
    ...(context.cidata === undefined ? [] : cidataRecordHashes(context.cidata).slice(1)),
  ];
  return formatRecord({
    version: state.imageVersion,
    keyValues: [
      [
        'Machine Type/Plant/Serial',
        `${state.machine.type}/${state.machine.plant}/${state.machine.serial}`,
      ],
      ['Image age', `${ageDays} days since creation.`],
    ],
    hashes,
  });
}

/**
 * Writes `se-checksums.txt` (or `.enc`, encrypted to `attestationPublicKey`), its signature by
 * the image's attestation key and `se-version` into `OUT/var/hyperprotect/`.
 */
export async function runAttestation(context: BootContext): Promise<void> {
  const log = context.console;
  const dir = join(context.outDir, 'var', 'hyperprotect');
  const record = Buffer.from(buildRecord(context), 'utf8');
  const auditorKey = context.decrypted!.sections.get('attestationPublicKey');
  let recordFile: { name: string; data: string | Buffer };
  if (auditorKey !== undefined) {
    try {
      const { publicKey } = parsePublicKeyOrCertificate(
        String(auditorKey.data),
        'attestationPublicKey',
      );
      recordFile = {
        name: 'se-checksums.txt.enc',
        data: encryptSection(record, publicKey, context.random),
      };
    } catch (error) {
      log.error(ATTESTATION, 'HPL11002E', `Attestation encryption failed: ${messageOf(error)}`);
      throw new ServiceFailure(ATTESTATION);
    }
  } else {
    recordFile = { name: 'se-checksums.txt', data: record };
  }
  try {
    await mkdir(dir, { recursive: true });
    for (const stale of ['se-checksums.txt', 'se-checksums.txt.enc']) {
      if (stale !== recordFile.name) await rm(join(dir, stale), { force: true });
    }
    await writeFileAtomic(join(dir, recordFile.name), recordFile.data, { secret: false });
    await writeFileAtomic(
      join(dir, 'se-signature.bin'),
      signRecord(record, context.state.attestationKey),
      { secret: false },
    );
    await writeFileAtomic(join(dir, 'se-version'), `${context.state.imageVersion}\n`, {
      secret: false,
    });
  } catch (error) {
    log.error(
      ATTESTATION,
      'HPL11002E',
      `Writing the attestation record failed: ${messageOf(error)}`,
    );
    throw new ServiceFailure(ATTESTATION);
  }
  log.note(
    ATTESTATION,
    `attestation record ${join(dir, recordFile.name)}${auditorKey ? ' (encrypted to attestationPublicKey)' : ''} and se-signature.bin written`,
  );
}
