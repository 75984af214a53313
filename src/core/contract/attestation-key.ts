import type { KeyObject } from 'node:crypto';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';

/**
 * A plaintext `attestationPublicKey` in the forms the runtime accepts (SPEC-IBM A2.7): the PEM
 * text, or the base64 of the PEM file (`base64 -w0 key.pem`, as IBM's docs and Terraform
 * examples write it). Either way it must be an RSA public key, not a certificate.
 */
export interface AttestationKey {
  /** How the value is written. */
  encoding: 'pem' | 'base64';
  publicKey: KeyObject;
  bits: number;
}

/** Below this the key still works, but the runtime's own keys are RSA-4096. */
export const ATTESTATION_KEY_BITS = 4096;

const PEM_PUBLIC_KEY = /-----BEGIN (?:RSA )?PUBLIC KEY-----/;

export function readAttestationKey(value: string, source: string): AttestationKey {
  const encoding = /-----BEGIN /.test(value) ? 'pem' : 'base64';
  const material = parsePublicKeyOrCertificate(value, source);
  if (material.certificate) {
    throw new HpvsError(
      'KEY_INVALID',
      `${source}: must be a public key (-----BEGIN PUBLIC KEY-----), not a certificate`,
    );
  }
  if (encoding === 'pem' && !PEM_PUBLIC_KEY.test(value)) {
    throw new HpvsError('KEY_INVALID', `${source}: must be a PEM public key`);
  }
  const bits = material.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return { encoding, publicKey: material.publicKey, bits };
}
