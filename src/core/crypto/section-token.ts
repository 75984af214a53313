import { HpvsError } from '../errors.js';
import { isStrictBase64 } from './strict-base64.js';

/**
 * The encrypted-section token `<prefix>.<A>.<B>`: A is the RSA-wrapped password, B the
 * `openssl enc` output, both standard padded base64. `hyper-protect-basic` is what HPVS reads;
 * newer runtimes (CCRT/CCRV) use `contract-basic`.
 */
export const TOKEN_PREFIXES = ['hyper-protect-basic', 'contract-basic'] as const;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[number];

export interface SectionToken {
  prefix: TokenPrefix;
  wrappedPassword: Buffer;
  encryptedData: Buffer;
}

export function formatSectionToken(token: SectionToken): string {
  return `${token.prefix}.${token.wrappedPassword.toString('base64')}.${token.encryptedData.toString('base64')}`;
}

/** True when a string looks like an encrypted-section token (prefix only; not validated). */
export function looksLikeSectionToken(text: string): boolean {
  const trimmed = text.trimStart();
  return TOKEN_PREFIXES.some((prefix) => trimmed.startsWith(`${prefix}.`));
}

/**
 * Parses a token, tolerating surrounding whitespace and base64 wrapped over several lines, and
 * says precisely what is wrong when it cannot.
 */
export function parseSectionToken(text: string): SectionToken {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) {
    throw new HpvsError('TOKEN_MALFORMED', 'the encrypted section is empty');
  }
  const prefix = TOKEN_PREFIXES.find((candidate) => compact.startsWith(`${candidate}.`));
  if (prefix === undefined) {
    throw new HpvsError(
      'TOKEN_MALFORMED',
      `not an encrypted section: expected it to start with "hyper-protect-basic." or "contract-basic.", found "${printablePrefix(compact)}"`,
    );
  }
  const parts = compact.slice(prefix.length + 1).split('.');
  if (parts.length !== 2) {
    throw new HpvsError(
      'TOKEN_MALFORMED',
      `malformed encrypted section: expected ${prefix}.<password>.<data> (3 dot-separated parts), found ${parts.length + 1}`,
    );
  }
  const [password, data] = parts as [string, string];
  return {
    prefix,
    wrappedPassword: decodeBase64Part(password, 'password'),
    encryptedData: decodeBase64Part(data, 'data'),
  };
}

function decodeBase64Part(part: string, name: string): Buffer {
  if (part.length === 0) {
    throw new HpvsError(
      'TOKEN_MALFORMED',
      `malformed encrypted section: the ${name} part is empty`,
    );
  }
  if (!isStrictBase64(part)) {
    throw new HpvsError(
      'TOKEN_MALFORMED',
      `malformed encrypted section: the ${name} part is not valid base64 (truncated or corrupted?)`,
    );
  }
  return Buffer.from(part, 'base64');
}

function printablePrefix(text: string): string {
  const head = text.slice(0, 24).replace(/[^\x20-\x7e]/g, '?');
  return text.length > 24 ? `${head}...` : head;
}
