import { decodeInitdata } from '../core/ccco/initdata.js';
import { summarizeSections } from '../core/ccco/initdata-contract.js';
import { findInitdata } from '../core/ccco/pod-annotation.js';
import { digestUnlessSecret, sha256Hex } from '../core/crypto/result-digests.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readTextInput } from '../node/read-input.js';

/** What initdata holds: its layers, its contract's sections (never their contents), the header. */
export interface InitdataReport {
  algorithm: unknown;
  version: unknown;
  initdataBytes: number;
  tomlBytes: number;
  otherEntries: string[];
  contract: {
    bytes: number;
    /** null when a section is plaintext: it can hold secrets (result-digests.ts). */
    sha256: string | null;
    sections: ReturnType<typeof summarizeSections>;
  };
  seHeader: { bytes: number; sha256: string } | null;
}

/**
 * Decodes initdata given as its value (starting `H4sI`), or as a file holding the value or a
 * manifest carrying it.
 */
export async function inspectInitdata(input: string): Promise<InitdataReport> {
  const isValue = input.startsWith('H4sI');
  const source = isValue ? 'initdata' : input;
  const text = isValue ? input : await readTextInput(input, 'initdata', INPUT_LIMITS.initdata);
  const value = findInitdata(text, source);
  const decoded = decodeInitdata(value, source);
  const sections = summarizeSections(decoded.contract, `${source} contract.yaml`);
  return {
    algorithm: decoded.algorithm,
    version: decoded.version,
    initdataBytes: value.length,
    tomlBytes: decoded.tomlBytes,
    otherEntries: decoded.otherEntries,
    // decodeInitdata has already taken the bare-metal boot header off the contract
    contract: {
      bytes: Buffer.byteLength(decoded.contract, 'utf8'),
      sha256: digestUnlessSecret(
        decoded.contract,
        sections.some(
          (section) =>
            (section.key === 'workload' || section.key === 'env') && section.form !== 'token',
        ),
      ),
      sections,
    },
    seHeader:
      decoded.seHeader === undefined
        ? null
        : { bytes: decoded.seHeader.length, sha256: sha256Hex(decoded.seHeader) },
  };
}
