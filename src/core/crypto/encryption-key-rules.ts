import type { KeyObject } from 'node:crypto';
import { HpvsError } from '../errors.js';
import type { PublicKeyMaterial } from './keys.js';
import { keyUsageOf } from './key-usage.js';

/**
 * What a key or certificate must be for hpvs-ctl to encrypt for it, in one place for every
 * command that encrypts (encrypt, env, workload, contract, init) and for `certs verify`:
 * RSA of at least 2048 bits (below is refused), a warning below the 4096 bits IBM's
 * encryption certificates have, and keyEncipherment when the certificate restricts its key
 * usage (the section password is wrapped with RSA, which is key encipherment).
 */

export const MIN_RSA_BITS = 2048;
export const IBM_ENCRYPTION_RSA_BITS = 4096;

export type EncryptionKeyRule = 'rsa-too-small' | 'rsa-below-ibm-size' | 'no-key-encipherment';

export interface EncryptionKeyFinding {
  rule: EncryptionKeyRule;
  severity: 'refuse' | 'warn';
  message: string;
}

export function rsaBitsOf(key: KeyObject): number | undefined {
  return key.asymmetricKeyDetails?.modulusLength;
}

export function encryptionKeyFindings(
  material: PublicKeyMaterial,
  source: string,
): EncryptionKeyFinding[] {
  const findings: EncryptionKeyFinding[] = [];
  const bits = rsaBitsOf(material.publicKey) ?? 0;
  if (bits < MIN_RSA_BITS) {
    findings.push({
      rule: 'rsa-too-small',
      severity: 'refuse',
      message: `${source}: RSA-${bits} key; encrypting needs at least ${MIN_RSA_BITS} bits (IBM's encryption certificates have ${IBM_ENCRYPTION_RSA_BITS})`,
    });
  } else if (bits < IBM_ENCRYPTION_RSA_BITS) {
    findings.push({
      rule: 'rsa-below-ibm-size',
      severity: 'warn',
      message: `${source}: RSA-${bits} key; IBM's encryption certificates have ${IBM_ENCRYPTION_RSA_BITS} bits, so check that this is the runtime's certificate`,
    });
  }
  if (material.certificate) {
    const usage = keyUsageOf(material.certificate, source);
    if (usage !== undefined && !usage.has('keyEncipherment')) {
      findings.push({
        rule: 'no-key-encipherment',
        severity: 'refuse',
        message: `${source}: the certificate's keyUsage (${[...usage].join(', ') || 'empty'}) lacks keyEncipherment, so its key is not for encrypting to (a signing or attestation certificate?)`,
      });
    }
  }
  return findings;
}

/** Refuses with the first refusing finding; returns the warnings. */
export function assertEncryptionKey(material: PublicKeyMaterial, source: string): string[] {
  const findings = encryptionKeyFindings(material, source);
  const refusal = findings.find((finding) => finding.severity === 'refuse');
  if (refusal !== undefined) {
    throw new HpvsError(
      refusal.rule === 'no-key-encipherment' ? 'CERT_USAGE' : 'KEY_WEAK',
      refusal.message,
    );
  }
  return findings.map((finding) => finding.message);
}
