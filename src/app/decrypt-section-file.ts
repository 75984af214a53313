import { decryptSection } from '../core/crypto/encrypt-section.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import { parseSectionToken, type TokenPrefix } from '../core/crypto/section-token.js';
import { HpvsError } from '../core/errors.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { loadPrivateKey } from '../node/load-keys.js';
import { readTextInput } from '../node/read-input.js';

export interface DecryptSectionFileRequest {
  /** The file holding the token (`-` for stdin). */
  file: string;
  /** The runtime's private key, and the file of its passphrase when it is protected. */
  keyFile: string;
  passphraseFile?: string | undefined;
  /** Runs the same work with a stand-in password when the padding is bad (see decryptSection). */
  random: RandomSource;
}

export interface DecryptedSectionFile {
  token: string;
  prefix: TokenPrefix;
  plaintext: Buffer;
}

/** Opens one section token with the runtime's private key. */
export async function decryptSectionFile(
  request: DecryptSectionFileRequest,
): Promise<DecryptedSectionFile> {
  const privateKey = await loadPrivateKey(request.keyFile, request.passphraseFile);
  const token = await readTextInput(request.file, 'encrypted section', INPUT_LIMITS.token);
  if (token.trim().length === 0) {
    throw new HpvsError(
      'INPUT_EMPTY',
      `${request.file === '-' ? 'stdin' : request.file}: no encrypted section to decrypt`,
    );
  }
  const plaintext = decryptSection(token, privateKey, request.random);
  return { token, prefix: parseSectionToken(token).prefix, plaintext };
}
