import { createHash } from 'node:crypto';

/**
 * The SHA-256 of what a command read and of what it produced, as IBM's contract-go and
 * Terraform report them (`sha256_in`, `sha256_out`, SPEC-IBM A9): hex of the exact bytes.
 */
export function resultDigests(
  input: Uint8Array | string,
  output: Uint8Array | string,
): { sha256_in: string; sha256_out: string } {
  const hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
  return { sha256_in: hex(input), sha256_out: hex(output) };
}
