import { isUtf8 } from 'node:buffer';
import { encryptSection } from '../core/crypto/encrypt-section.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import type { TokenPrefix } from '../core/crypto/section-token.js';
import { HpvsError } from '../core/errors.js';
import type { TrustMaterial } from '../core/pki/check-certificate.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { loadEncryptionKey } from '../node/load-keys.js';
import { readInput } from '../node/read-input.js';

export interface EncryptSectionFileRequest {
  /** The section file (`-` for stdin): its exact bytes are encrypted. */
  file: string;
  /** A certificate (or public key) file; the platform's catalogue certificate when not given. */
  certFile?: string | undefined;
  platform?: PlatformName | undefined;
  certVersion?: string | undefined;
  allowExpired?: boolean | undefined;
  /** A token prefix chosen explicitly (else the platform's). */
  prefix?: TokenPrefix | undefined;
  /** Check `certFile`'s chain and CRLs against these first, and refuse an untrusted one. */
  trust?: Omit<TrustMaterial, 'certificate' | 'role'> | undefined;
  /** The content must be JSON (as IBM's encrypt-string promises). */
  json?: boolean | undefined;
  random: RandomSource;
}

export interface EncryptedSectionFile {
  token: string;
  plaintext: Buffer;
  prefix: TokenPrefix;
  /** The certificate file, or the catalogue file, it was encrypted for. */
  certificate: string;
}

/** Encrypts one section file for a runtime's encryption certificate. */
export async function encryptSectionFile(
  request: EncryptSectionFileRequest,
): Promise<EncryptedSectionFile> {
  if (request.trust !== undefined && request.certFile !== undefined) {
    await refuseUntrustedCertificate(request.certFile, request.trust);
  }
  const key = await loadEncryptionKey(request.certFile, {
    platform: request.platform,
    certVersion: request.certVersion,
    allowExpired: request.allowExpired,
  });
  const plaintext = await readInput(request.file, 'section', INPUT_LIMITS.section);
  const source = request.file === '-' ? 'stdin' : request.file;
  if (plaintext.length === 0) {
    throw new HpvsError('INPUT_EMPTY', `${source}: the section to encrypt is empty`);
  }
  if (request.json) refuseInvalidJson(plaintext, source);
  const prefix = request.prefix ?? key.prefix;
  const token = encryptSection(plaintext, key.publicKey, request.random, prefix);
  return { token, plaintext, prefix, certificate: key.source };
}

/** A revoked or otherwise untrusted encryption certificate must not be used (SPEC 7). */
async function refuseUntrustedCertificate(
  certFile: string,
  trust: Omit<TrustMaterial, 'certificate' | 'role'>,
): Promise<void> {
  const { checkCertificate } = await import('../core/pki/check-certificate.js');
  const { chain } = await checkCertificate({
    certificate: {
      bytes: await readInput(certFile, 'encryption certificate', INPUT_LIMITS.pem),
      source: certFile,
    },
    role: 'encryption certificate',
    ...trust,
  });
  const failed = chain.checks.filter((check) => check.status === 'fail');
  if (failed.length > 0) {
    throw new HpvsError('CHAIN_INVALID', [
      `${certFile}: not encrypting for an untrusted certificate: `,
      ...failed.flatMap((check, index) => [
        ...(index > 0 ? ['; '] : []),
        ...(check.wording ?? [check.detail]),
      ]),
    ]);
  }
}

/**
 * JSON is refused before it is encrypted when it is not JSON. The parser's own message is not
 * repeated: it quotes the input, which may be secret; only the place is.
 */
function refuseInvalidJson(bytes: Buffer, source: string): void {
  const refuse = (where: string, why: string) =>
    new HpvsError('CONTRACT_INVALID', `${where}: not valid JSON${why}; nothing was encrypted`);
  if (!isUtf8(bytes)) throw refuse(source, ' (not UTF-8)');
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    if (position === null) throw refuse(source, '');
    const before = text.slice(0, Number(position[1])).split('\n');
    throw refuse(`${source}:${before.length}:${before.at(-1)!.length + 1}`, '');
  }
}
