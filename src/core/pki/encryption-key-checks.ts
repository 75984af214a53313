import { X509Certificate } from 'node:crypto';
import {
  encryptionKeyFindings,
  IBM_ENCRYPTION_RSA_BITS,
  rsaBitsOf,
} from '../crypto/encryption-key-rules.js';
import { keyUsageOf } from '../crypto/key-usage.js';
import type { VerificationCheck } from './verification-check.js';

/**
 * The encryption key rules (src/core/crypto/encryption-key-rules.ts) as `certs verify` reports
 * them: a `key` check (RSA size) and a `key-usage` check, plus the warnings the rules give.
 */
export function encryptionKeyChecks(
  der: Uint8Array,
  source: string,
): { checks: [VerificationCheck, VerificationCheck]; warnings: string[] } {
  const certificate = new X509Certificate(der);
  const material = { publicKey: certificate.publicKey, certificate };
  const findings = encryptionKeyFindings(material, source);
  const finding = (rule: string) => findings.find((entry) => entry.rule === rule);
  const bits = rsaBitsOf(certificate.publicKey) ?? 0;
  const small = finding('rsa-too-small');
  const belowIbm = finding('rsa-below-ibm-size');
  const key: VerificationCheck = small
    ? { id: 'key', status: 'fail', detail: small.message }
    : {
        id: 'key',
        status: 'pass',
        detail: belowIbm
          ? `RSA-${bits}: accepted, but IBM's encryption certificates have ${IBM_ENCRYPTION_RSA_BITS} bits`
          : `RSA-${bits}`,
      };
  const usage = keyUsageOf(certificate, source);
  const encipherment = finding('no-key-encipherment');
  const keyUsage: VerificationCheck = encipherment
    ? { id: 'key-usage', status: 'fail', detail: encipherment.message }
    : {
        id: 'key-usage',
        status: 'pass',
        detail:
          usage === undefined
            ? 'no keyUsage extension: the key may encrypt (as in IBM encryption certificates)'
            : `keyUsage ${[...usage].join(', ')} includes keyEncipherment`,
      };
  return { checks: [key, keyUsage], warnings: belowIbm ? [belowIbm.message] : [] };
}
