import { sayWording, type Wording } from './wording.js';

/**
 * The one error type of hpvs-ctl. Every failure a user can cause carries a stable code so
 * that callers (and tests) can switch on it, and the CLI can map it to an exit status.
 */
export type HpvsErrorCode =
  // usage (exit 2): USAGE is the CLI's own; the core and the library say ARGUMENT_INVALID when
  // an argument of a call is missing, contradictory or malformed
  | 'USAGE'
  | 'ARGUMENT_INVALID'
  // input files and formats (exit 1)
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'INPUT_EMPTY'
  | 'INPUT_TOO_LARGE'
  | 'OUTPUT_FAILED'
  | 'PEM_INVALID'
  | 'KEY_INVALID'
  | 'KEY_UNSUPPORTED'
  | 'KEY_PASSPHRASE'
  | 'KEY_WEAK'
  | 'KEY_MISMATCH'
  | 'CERT_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CERT_NOT_FOUND'
  | 'CERT_USAGE'
  | 'CHAIN_INVALID'
  | 'CRL_INVALID'
  | 'TOKEN_MALFORMED'
  | 'DECRYPTION_FAILED'
  | 'ARCHIVE_REFUSED'
  | 'ARCHIVE_INVALID'
  | 'YAML_INVALID'
  | 'CONTRACT_INVALID'
  | 'NETWORK_CONFIG_INVALID'
  | 'JSON_INVALID'
  | 'VERSION_INVALID'
  | 'IMAGE_NOT_FOUND'
  | 'DOWNLOAD_FAILED'
  | 'SECRET_INVALID'
  | 'SIGNATURE_INVALID'
  | 'RECORD_INVALID'
  | 'VERIFICATION_FAILED'
  | 'STATE_EXISTS'
  | 'STATE_INVALID'
  | 'VOLUME_FAILED'
  | 'LOGGING_FAILED'
  | 'RUNTIME_FAILED'
  | 'CIDATA_INVALID'
  | 'TOOL_MISSING'
  | 'TTY_REQUIRED'
  // confidential containers (ccco)
  | 'INITDATA_INVALID'
  | 'POLICY_INVALID'
  | 'POLICY_REFUSED';

export class HpvsError extends Error {
  override readonly name = 'HpvsError';
  /** The message with its input phrases, when it refers to something the caller supplies. */
  readonly wording?: Wording;

  constructor(
    readonly code: HpvsErrorCode,
    message: string | Wording,
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : sayWording(message), options);
    if (typeof message !== 'string') this.wording = message;
  }
}

/**
 * Every way a decryption can fail (wrong key, bad padding, corrupted data) must look the same
 * to the caller, so nobody can use the difference as an oracle.
 */
export const DECRYPTION_FAILED_MESSAGE =
  'decryption failed: the data is corrupted or was not encrypted for this key';

export function decryptionFailed(cause?: unknown): HpvsError {
  return new HpvsError('DECRYPTION_FAILED', DECRYPTION_FAILED_MESSAGE, { cause });
}

/**
 * A token that must open to something (a contract section, an attestation record) and did not.
 * The format has no MAC, so a token changed before its last AES block decrypts to garbage
 * instead of failing. Whoever can submit changed tokens to the key holder and tell "bad
 * padding" from "good padding, but garbage" can decrypt a captured token block by block
 * (Vaudenay's padding oracle). So a decryption failure and a plaintext that does not read as
 * what it must be give this one error, with nothing about the plaintext in it.
 */
export function tokenCannotBeOpened(what: string, advice?: string): HpvsError {
  return new HpvsError(
    'DECRYPTION_FAILED',
    `${what} cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key (tokens carry no integrity check${advice === undefined ? '' : `; ${advice}`})`,
  );
}

export function isUsageError(error: unknown): boolean {
  return (
    error instanceof HpvsError && (error.code === 'USAGE' || error.code === 'ARGUMENT_INVALID')
  );
}

export function exitCodeFor(error: unknown): 1 | 2 {
  return isUsageError(error) ? 2 : 1;
}
