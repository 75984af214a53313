import { input, worded, wordedText, type Notice } from '../wording.js';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { verifyContractSignature } from '../crypto/contract-signature.js';
import { parsePublicKeyOrCertificate, type PublicKeyMaterial } from '../crypto/keys.js';
import type { RandomSource } from '../crypto/random-source.js';
import { HpvsError } from '../errors.js';
import { samePublicKey } from './signing-key.js';
import { signedSections } from './sign-user-data.js';
import { openSectionToken } from './decrypted-section.js';
import { isPlaintextSection, type ParsedUserData } from './user-data.js';

export interface SigningCertificateInfo {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ContractVerification {
  signatureValid: boolean;
  /** Where the verifying key came from. */
  keySource: 'given' | 'env.signingKey';
  /** Present when the signing key is a certificate (contract expiry). */
  certificate?: SigningCertificateInfo;
  /** The same certificate as PEM, for chain checks. */
  certificatePem?: string;
  /** The contract's certificate has expired (or is not yet valid) at `now`. */
  expired: boolean;
  notYetValid: boolean;
  /** True only when the signature is valid and the contract has not expired. */
  ok: boolean;
  warnings: Notice[];
}

export interface VerifyContractOptions {
  /** The key to check against (`--signing-key`); else env.signingKey is used. */
  signingKey?: PublicKeyMaterial | undefined;
  /** Opens an encrypted env to read its signingKey (`--decrypt-key`, the HPCR private key). */
  decryptKey?: KeyObject | undefined;
  /** Draws the stand-in password a failed decryption runs with (see `decryptSection`). */
  random: RandomSource;
  now: Date;
}

/** The env section's signingKey, decrypting env when it is a token. */
function envSigningKey(
  parsed: ParsedUserData,
  decryptKey: KeyObject | undefined,
  random: RandomSource,
): PublicKeyMaterial | 'absent' | undefined {
  const env = parsed.sections.get('env');
  if (env === undefined) return undefined;
  let data: unknown = env.data;
  if (env.form === 'token') {
    if (decryptKey === undefined) return undefined;
    data = openSectionToken('env', env.value, decryptKey, random, parsed.source).data;
  }
  const signingKey = (data as Record<string, unknown> | null)?.signingKey;
  if (typeof signingKey !== 'string') return 'absent';
  return parsePublicKeyOrCertificate(signingKey, `${parsed.source}: env.signingKey`);
}

function certificateInfo(certificate: X509Certificate): SigningCertificateInfo {
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    issuer: certificate.issuer.replace(/\n/g, ', '),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/**
 * Checks envWorkloadSignature over the workload and env values with the given key, or with
 * env.signingKey. A certificate signing key also gives the contract's expiry.
 */
export function verifyContract(
  parsed: ParsedUserData,
  options: VerifyContractOptions,
): ContractVerification {
  const { workload, env } = signedSections(parsed);
  const signature = parsed.sections.get('envWorkloadSignature');
  if (signature === undefined || signature.form !== 'string') {
    throw new HpvsError(
      'VERIFICATION_FAILED',
      `${parsed.source}: has no envWorkloadSignature; sign it with hpvs-ctl sign`,
    );
  }
  const warnings: Notice[] = [];
  const found = envSigningKey(parsed, options.decryptKey, options.random);
  const fromEnv = found === 'absent' ? undefined : found;
  const key = options.signingKey ?? fromEnv;
  if (key === undefined) {
    throw found === 'absent'
      ? new HpvsError(
          'VERIFICATION_FAILED',
          worded`${parsed.source}: env has no signingKey, so there is no key to check the signature with; give ${input('signing-public-key')}`,
        )
      : new HpvsError(
          'ARGUMENT_INVALID',
          worded`${parsed.source}: env is encrypted; ${input('signing-key-or-runtime-key')}`,
        );
  }
  if (found === 'absent' && isPlaintextSection(env)) {
    warnings.push('env has no signingKey, so the runtime itself cannot check this signature');
  }
  if (
    options.signingKey &&
    fromEnv &&
    !samePublicKey(options.signingKey.publicKey, fromEnv.publicKey)
  ) {
    warnings.push(
      wordedText(
        worded`env.signingKey is a different key than ${input('signing-public-key')}; the runtime checks against env.signingKey`,
      ),
    );
  }
  const signatureValid = verifyContractSignature(
    workload.value,
    env.value,
    signature.value,
    key.publicKey,
  );
  const certificate = key.certificate ? certificateInfo(key.certificate) : undefined;
  const expired = certificate !== undefined && options.now > certificate.notAfter;
  const notYetValid = certificate !== undefined && options.now < certificate.notBefore;
  return {
    signatureValid,
    keySource: options.signingKey ? 'given' : 'env.signingKey',
    ...(certificate ? { certificate, certificatePem: key.certificate!.toString() } : {}),
    expired,
    notYetValid,
    ok: signatureValid && !expired && !notYetValid,
    warnings,
  };
}
