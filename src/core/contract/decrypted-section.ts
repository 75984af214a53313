import type { KeyObject } from 'node:crypto';
import { decryptSection } from '../crypto/encrypt-section.js';
import type { RandomSource } from '../crypto/random-source.js';
import { isSectionText } from '../crypto/section-text.js';
import { parseSectionToken } from '../crypto/section-token.js';
import { HpvsError, tokenCannotBeOpened } from '../errors.js';
import { readAttestationKey } from './attestation-key.js';
import { parseSectionText, type ContractSection, type Position } from './user-data.js';

/**
 * Opens the token of the contract section `key` (from the user data `source`) to the section it
 * must hold: workload and env a YAML mapping, attestationPublicKey an RSA public key, any other
 * section text. The section's positions point into the plaintext, named
 * `<source> (decrypted <key>)`.
 *
 * A wrong key, a bad padding and a plaintext that is not what the section must be all throw the
 * one `tokenCannotBeOpened` error, from one place: see there for the padding oracle a second
 * message would open. A malformed token (bad base64, wrong shape) is visible without any key and
 * keeps its own `TOKEN_MALFORMED` message.
 */
export function openSectionToken(
  key: string,
  token: string,
  privateKey: KeyObject,
  random: RandomSource,
  source: string,
): ContractSection {
  parseSectionToken(token);
  let plaintext: Buffer | undefined;
  try {
    plaintext = decryptSection(token, privateKey, random);
  } catch (error) {
    if (!(error instanceof HpvsError) || error.code !== 'DECRYPTION_FAILED') throw error;
  }
  const section =
    plaintext === undefined
      ? undefined
      : readDecryptedSection(key, plaintext, `${source} (decrypted ${key})`);
  if (section === undefined)
    throw tokenCannotBeOpened(`${source}: the ${key} section`, 'sign the contract');
  return section;
}

/** The section a plaintext holds, or undefined when it is not what the section `key` must be. */
function readDecryptedSection(
  key: string,
  plaintext: Buffer,
  label: string,
): ContractSection | undefined {
  if (!isSectionText(plaintext)) return undefined;
  const text = plaintext.toString('utf8');
  try {
    if (key === 'workload' || key === 'env') {
      const section = parseSectionText(key, text, label);
      return section.form === 'mapping' ? section : undefined;
    }
    if (key === 'attestationPublicKey') readAttestationKey(text, label);
  } catch {
    // Every way of not reading (a YAML error with its position, a key that does not parse, even
    // an internal error) must look like a decryption failure, or it tells good padding apart.
    return undefined;
  }
  return stringSection(key, text, label);
}

function stringSection(key: string, text: string, source: string): ContractSection {
  const start: Position = { line: 1, col: 1 };
  return {
    key,
    source,
    form: 'string',
    value: text,
    data: text,
    node: null,
    positionOf: () => start,
    keyPositionOf: () => start,
  };
}
