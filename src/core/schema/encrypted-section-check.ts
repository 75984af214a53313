import { parseSectionToken } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import type { ContractSection } from '../contract/user-data.js';
import type { ProblemList } from './problems.js';

const SALTED = Buffer.from('Salted__');

/**
 * What can be checked of an encrypted section without the runtime's private key: the token
 * shape, both base64 parts, an RSA block of a 2048- or 4096-bit key, and an `openssl enc`
 * body (magic, salt, whole AES blocks).
 */
export function checkEncryptedSection(section: ContractSection, list: ProblemList): void {
  const position = section.positionOf([]);
  const error = (message: string) =>
    list.add('error', section.source, position, [section.key], message);
  if (/\s/.test(section.value.trim())) {
    error('the encrypted token must be on one line; the runtime does not join wrapped lines');
    return;
  }
  let token;
  try {
    token = parseSectionToken(section.value);
  } catch (cause) {
    if (!(cause instanceof HpvsError)) throw cause;
    error(cause.message);
    return;
  }
  const rsaBytes = token.wrappedPassword.length;
  if (rsaBytes !== 256 && rsaBytes !== 512) {
    error(
      `malformed encrypted section: the password part is ${rsaBytes} bytes; an RSA-2048 or RSA-4096 block is 256 or 512 bytes`,
    );
    return;
  }
  const data = token.encryptedData;
  if (data.length < 32 || !data.subarray(0, 8).equals(SALTED) || (data.length - 16) % 16 !== 0) {
    error(
      'malformed encrypted section: the data part is not openssl enc output ("Salted__", 8-byte salt, whole AES blocks)',
    );
    return;
  }
  list.add(
    'note',
    section.source,
    position,
    [section.key],
    `encrypted (${token.prefix}, RSA-${rsaBytes * 8} wrapped password); its content can only be checked before encryption or with the runtime's private key`,
  );
}
