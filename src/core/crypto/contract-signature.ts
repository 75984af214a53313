import { createSign, createVerify, type KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import { isStrictBase64 } from './strict-base64.js';

/**
 * `envWorkloadSignature`: RSASSA-PKCS1-v1_5 with SHA-256 over the exact value string of
 * `workload` immediately followed by the exact value string of `env` (no separator, no final
 * newline), as `openssl dgst -sha256 -sign` computes it. `attestationPublicKey` is not covered.
 */
export function signedContractBytes(workloadValue: string, envValue: string): Buffer {
  return Buffer.from(workloadValue + envValue, 'utf8');
}

/** Signs and returns the signature as base64 on one line. */
export function signContract(
  workloadValue: string,
  envValue: string,
  privateKey: KeyObject,
): string {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new HpvsError('KEY_UNSUPPORTED', 'the contract signing key must be an RSA key');
  }
  const signer = createSign('sha256');
  signer.update(signedContractBytes(workloadValue, envValue));
  return signer.sign(privateKey).toString('base64');
}

/** Decodes the signature value, which YAML may have folded over several lines. */
export function decodeContractSignature(signature: string): Buffer {
  const compact = signature.replace(/\s+/g, '');
  if (compact.length === 0 || !isStrictBase64(compact)) {
    throw new HpvsError(
      'SIGNATURE_INVALID',
      'envWorkloadSignature is not valid base64; sign the contract again',
    );
  }
  return Buffer.from(compact, 'base64');
}

/** True when `signature` (base64) is a valid signature of workload+env by `publicKey`. */
export function verifyContractSignature(
  workloadValue: string,
  envValue: string,
  signature: string,
  publicKey: KeyObject,
): boolean {
  const bytes = decodeContractSignature(signature);
  const verifier = createVerify('sha256');
  verifier.update(signedContractBytes(workloadValue, envValue));
  try {
    return verifier.verify(publicKey, bytes);
  } catch {
    return false;
  }
}
