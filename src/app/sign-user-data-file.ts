import type { Notice } from '../core/wording.js';
import { parseUserData } from '../core/contract/user-data.js';
import { signUserData } from '../core/contract/sign-user-data.js';
import { decodeUtf8Exactly } from '../core/text/utf8-text.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { loadPrivateKey } from '../node/load-keys.js';
import { readInput } from '../node/read-input.js';

export interface SignUserDataFileRequest {
  /** The assembled user-data file (`-` for stdin). */
  file: string;
  /** The contract signing key, and the file of its passphrase when it is protected. */
  keyFile: string;
  passphraseFile?: string | undefined;
}

export interface SignedUserDataFile {
  /** The user data as read, and as signed (every other byte kept). */
  text: string;
  signedText: string;
  warnings: Notice[];
  /** A workload or env that is not a token holds seeds and keys in the clear. */
  holdsPlaintextSection: boolean;
}

/** Sets envWorkloadSignature of an assembled user-data file. */
export async function signUserDataFile(
  request: SignUserDataFileRequest,
): Promise<SignedUserDataFile> {
  const privateKey = await loadPrivateKey(request.keyFile, request.passphraseFile);
  const source = request.file === '-' ? 'stdin' : request.file;
  // refused rather than decoded leniently, which would rewrite bytes sign does not own
  const text = decodeUtf8Exactly(
    await readInput(request.file, 'user data', INPUT_LIMITS.userData),
    source,
  );
  const signed = signUserData(text, source, privateKey);
  const { sections } = parseUserData(signed.text, source);
  return {
    text,
    signedText: signed.text,
    warnings: [...signed.warnings],
    holdsPlaintextSection: ['workload', 'env'].some((key) => sections.get(key)?.form !== 'token'),
  };
}
