/**
 * Whether a contract is signed, from the two halves the runtime needs: `envWorkloadSignature`
 * and `env.signingKey` to check it with. Validate, inspect and the emulator all classify with
 * this; a contract with only one half cannot be checked.
 */
export type SignaturePresence =
  | 'unsigned'
  | 'signed'
  /** envWorkloadSignature, but env has no signingKey to check it with. */
  | 'signature-without-key'
  /** env.signingKey, but no envWorkloadSignature. */
  | 'key-without-signature';

export function signaturePresence(halves: {
  signature: boolean;
  signingKey: boolean;
}): SignaturePresence {
  if (halves.signature) return halves.signingKey ? 'signed' : 'signature-without-key';
  return halves.signingKey ? 'key-without-signature' : 'unsigned';
}
