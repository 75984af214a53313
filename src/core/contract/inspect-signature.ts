import type { KeyObject } from 'node:crypto';
import { decodeContractSignature, verifyContractSignature } from '../crypto/contract-signature.js';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';
import { asMapping } from '../mapping.js';
import { at, report, type Context } from './inspection-context.js';
import type { SignatureReport } from './inspection.js';
import { signaturePresence } from './signature-presence.js';
import type { ContractSection } from './user-data.js';

/**
 * The signature part of inspect: whether the contract is signed, and when env is readable,
 * whether envWorkloadSignature verifies over workload and env under env.signingKey.
 */
export function inspectSignature(
  sections: Map<string, ContractSection>,
  readable: Map<string, ContractSection>,
  context: Context,
): SignatureReport {
  const signature = sections.get('envWorkloadSignature');
  const env = readable.get('env');
  const signingKey = asMapping(env?.data)?.['signingKey'];
  // an encrypted env may hold the key: only a readable one shows that a half is missing
  const presence =
    env === undefined
      ? undefined
      : signaturePresence({
          signature: signature !== undefined,
          signingKey: typeof signingKey === 'string',
        });
  if (signature === undefined) {
    if (presence === 'key-without-signature') {
      report(
        context,
        'error',
        'key-without-signature',
        `${at(env!, ['signingKey'])} env has a signingKey but the contract has no envWorkloadSignature; sign it with hpvs-ctl contract`,
      );
    }
    return { present: false, check: 'absent' };
  }
  let bytes: Buffer;
  try {
    bytes = decodeContractSignature(signature.value);
  } catch (error) {
    if (!(error instanceof HpvsError)) throw error;
    report(context, 'error', 'signature-invalid', `${at(signature, [])} ${error.message}`);
    return { present: true, check: 'invalid', reason: 'not valid base64' };
  }
  const signatureReport: SignatureReport = {
    present: true,
    rsaBits: bytes.length * 8,
    check: 'not-checked',
  };
  const workload = sections.get('workload');
  if (env === undefined || workload === undefined) {
    signatureReport.reason =
      'env is encrypted; the runtime checks the signature against the signingKey inside it';
    return signatureReport;
  }
  if (presence === 'signature-without-key' || typeof signingKey !== 'string') {
    signatureReport.check = 'invalid';
    signatureReport.reason = 'env has no signingKey';
    report(
      context,
      'error',
      'signature-without-key',
      `${at(signature, [])} the contract is signed but env has no signingKey, so the runtime cannot check the signature; add the signing public key to env`,
    );
    return signatureReport;
  }
  let publicKey: KeyObject;
  try {
    publicKey = parsePublicKeyOrCertificate(signingKey, 'env.signingKey').publicKey;
  } catch {
    // already reported with its position by the env summary
    signatureReport.reason = 'env.signingKey cannot be read';
    return signatureReport;
  }
  const valid = verifyContractSignature(workload.value, env.value, signature.value, publicKey);
  signatureReport.check = valid ? 'valid' : 'invalid';
  if (!valid) {
    signatureReport.reason = 'does not match workload+env under env.signingKey';
    report(
      context,
      'error',
      'signature-mismatch',
      `${at(signature, [])} the signature does not match workload followed by env under env.signingKey; the sections changed after signing or were signed by another key: sign again`,
    );
  }
  return signatureReport;
}
