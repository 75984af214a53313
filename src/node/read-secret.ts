import { HpvsError } from '../core/errors.js';
import { INPUT_LIMITS } from './input-limits.js';
import { readInput, tooLarge } from './read-input.js';

export interface SecretSource {
  /** A file holding the secret, or `-` for standard input. */
  file?: string | undefined;
  /** An environment variable holding the secret. */
  envVar?: string | undefined;
  /** What the secret is, for messages: "env volume seed". */
  what: string;
}

/**
 * Reads a secret from a file, stdin or an environment variable (never from argv). One final
 * line break is removed, since editors and `echo` add one that is not part of the secret.
 */
export async function readSecret(source: SecretSource): Promise<Buffer> {
  let bytes: Buffer;
  if (source.file !== undefined) {
    bytes = await readInput(source.file, source.what, INPUT_LIMITS.secret);
  } else if (source.envVar !== undefined && process.env[source.envVar] !== undefined) {
    bytes = Buffer.from(process.env[source.envVar]!, 'utf8');
    if (bytes.length > INPUT_LIMITS.secret.bytes) {
      throw tooLarge(`$${source.envVar}`, source.what, INPUT_LIMITS.secret);
    }
  } else {
    throw new HpvsError(
      'USAGE',
      `missing ${source.what}: give a file${source.envVar ? ` or set ${source.envVar}` : ''}`,
    );
  }
  const trimmed = stripFinalLineBreak(bytes);
  if (trimmed.length === 0) {
    throw new HpvsError(
      'SECRET_INVALID',
      `${source.file ?? source.envVar}: the ${source.what} is empty`,
    );
  }
  return trimmed;
}

function stripFinalLineBreak(bytes: Buffer): Buffer {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return bytes.subarray(0, end);
}
