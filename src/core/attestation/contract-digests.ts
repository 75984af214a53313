import { createHash } from 'node:crypto';
import { sectionBytes, type ParsedUserData } from '../contract/user-data.js';
import { CONTRACT_SECTIONS, recordNameOfSection, USER_DATA_NAME } from './record-names.js';

/**
 * What a record says about the contract (SPEC section 6): `cidata/user-data` is the sha256 of
 * the exact user-data bytes, `contract:<section>` the sha256 of each top-level section's value
 * string (for an encrypted section the whole token, for a `|` block string its parsed value with
 * the final newline). The emulator writes these lines and the auditor recomputes them, both
 * through `sectionBytes`, the definition signing and encryption use too.
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface SectionDigest {
  section: string;
  sha256: string;
  /** True for a plaintext mapping: its digest rule (dedented source text) is inferred. */
  plaintext: boolean;
}

export interface ContractDigests {
  userData: string;
  sections: Map<string, SectionDigest>;
}

export function contractDigests(
  userDataBytes: Uint8Array,
  parsed: ParsedUserData,
): ContractDigests {
  const sections = new Map<string, SectionDigest>();
  for (const [key, section] of parsed.sections) {
    sections.set(key, {
      section: key,
      sha256: sha256Hex(sectionBytes(section)),
      plaintext: section.form === 'mapping',
    });
  }
  return { userData: sha256Hex(userDataBytes), sections };
}

/**
 * The record hash lines for a contract, in the order the runtime writes them: the user data,
 * then each contract section present (other top-level keys are not attested).
 */
export function contractRecordHashes(digests: ContractDigests): { sha256: string; name: string }[] {
  const hashes = [{ sha256: digests.userData, name: USER_DATA_NAME }];
  for (const section of CONTRACT_SECTIONS) {
    const digest = digests.sections.get(section);
    if (digest !== undefined)
      hashes.push({ sha256: digest.sha256, name: recordNameOfSection(section) });
  }
  return hashes;
}
