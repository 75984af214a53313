import { createHash } from 'node:crypto';

/**
 * The SHA-256 of what a command read and of what it produced, as IBM's contract-go and
 * Terraform report them (`sha256_in`, `sha256_out`, SPEC-IBM A9): hex of the exact bytes.
 *
 * A digest of bytes that can hold a secret (a plaintext section or contract, a decrypted token
 * or record) is withheld as `null`: a SHA-256 of a low-entropy secret (a password, a short API
 * key in an env section built from a known template) lets anyone who sees the JSON test guesses
 * offline, and the JSON goes to logs that the 0600 file does not. Whoever holds the plaintext
 * can compute its digest (`sha256sum FILE`); nobody else should be able to check a guess.
 */
export type Digest = string | null;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The digest, or `null` when the bytes can hold a secret. */
export function digestUnlessSecret(data: Uint8Array | string, secret: boolean): Digest {
  return secret ? null : sha256Hex(data);
}

export function resultDigests(
  input: Uint8Array | string,
  output: Uint8Array | string,
  secret: { input?: boolean; output?: boolean } = {},
): { sha256_in: Digest; sha256_out: Digest } {
  return {
    sha256_in: digestUnlessSecret(input, secret.input === true),
    sha256_out: digestUnlessSecret(output, secret.output === true),
  };
}
