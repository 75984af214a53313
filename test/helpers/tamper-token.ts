import { formatSectionToken, parseSectionToken } from '../../src/core/crypto/section-token.js';

/** Where a flipped bit lands in the openssl-enc body of a token. */
export type TamperSpot =
  /** the first AES block: the first plaintext block decrypts to garbage, nothing fails */
  | 'early-block'
  /** the block before the last: flips the padding byte, so the padding check always fails */
  | 'padding-byte';

/** The token with one bit of its AES ciphertext flipped at `spot`. */
export function tamperToken(token: string, spot: TamperSpot): string {
  const parts = parseSectionToken(token);
  const data = Buffer.from(parts.encryptedData);
  if (data.length < 16 + 32) throw new Error('tamperToken needs at least two AES blocks');
  // the body starts after "Salted__" and the 8-byte salt
  const index = spot === 'early-block' ? 16 : data.length - 17;
  data[index] = data[index]! ^ 0x01;
  return formatSectionToken({ ...parts, encryptedData: data });
}
