import { isSectionText } from '../crypto/section-text.js';
import { HpvsError } from '../errors.js';
import { parseSectionText, type ContractSection } from './user-data.js';

/**
 * What to tell a user whose token opened to something that is not what it should hold. The
 * `openssl enc` format has no MAC: a changed byte in the last AES block breaks the padding (the
 * generic decryption error), but one in any earlier block decrypts to garbage without error.
 */
export const NO_INTEGRITY_HINT =
  'the token may be corrupted or tampered with (tokens carry no integrity check; sign the contract)';

/**
 * Parses the plaintext of an encrypted workload or env section. Anything but a YAML mapping
 * (bytes that are not text, a syntax error, a bare scalar) is `YAML_INVALID` with the hint,
 * since a section is always a mapping and the token itself cannot tell a tampered body apart.
 */
export function parseDecryptedSection(
  key: string,
  plaintext: Uint8Array,
  source: string,
): ContractSection {
  const fail = (where: string, what: string): HpvsError =>
    new HpvsError(
      'YAML_INVALID',
      `${where}: the decrypted ${key} section is ${what}: ${NO_INTEGRITY_HINT}`,
    );
  if (!isSectionText(plaintext)) throw fail(source, 'not valid YAML (not even text)');
  let section: ContractSection;
  try {
    section = parseSectionText(key, Buffer.from(plaintext).toString('utf8'), source);
  } catch (error) {
    if (!(error instanceof HpvsError) || error.code !== 'YAML_INVALID') throw error;
    // keep yaml's own position and reason: the section may just have been written wrong
    const detail = /^(.*?): invalid YAML: (.*)$/.exec(error.message);
    throw detail ? fail(detail[1]!, `not valid YAML (${detail[2]!})`) : error;
  }
  if (section.form !== 'mapping') throw fail(source, 'not a YAML mapping');
  return section;
}
