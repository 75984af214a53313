import { verifyContract, type ContractVerification } from '../../core/contract/verify-contract.js';
import { ServiceFailure, sectionData, type BootContext } from '../boot-context.js';
import { messageOf } from './bootloader.js';
import { EXPIRY_WARNING_DAYS, wholeDaysBetween } from '../../core/days.js';
import { signaturePresence } from '../../core/contract/signature-presence.js';

export const SIGNATURE = 'hpl-contract-signature';

/**
 * Checks `envWorkloadSignature` over the submitted (still encrypted) workload and env values
 * with `env.signingKey`, and, when the signing key is a certificate, the contract's expiry.
 */
export function runSignatureCheck(context: BootContext): void {
  const log = context.console;
  const submitted = context.submitted!;
  const presence = signaturePresence({
    signature: submitted.sections.has('envWorkloadSignature'),
    signingKey: sectionData(context, 'env')['signingKey'] !== undefined,
  });
  if (presence === 'unsigned') {
    log.note(SIGNATURE, 'the contract is not signed (no envWorkloadSignature, no env.signingKey)');
    return;
  }
  if (presence === 'key-without-signature')
    fail(context, 'env.signingKey is set, but the contract has no envWorkloadSignature');
  if (presence === 'signature-without-key') {
    fail(
      context,
      'the contract has an envWorkloadSignature, but env has no signingKey to verify it with',
    );
  }
  let verdict: ContractVerification;
  try {
    verdict = verifyContract(submitted, {
      decryptKey: context.state.encryptionKey,
      random: context.random,
      now: context.now,
    });
  } catch (error) {
    fail(context, messageOf(error));
  }
  if (!verdict.signatureValid) {
    fail(
      context,
      'envWorkloadSignature does not verify over workload and env with env.signingKey: the contract was altered after signing, or signed with another key',
    );
  }
  log.note(SIGNATURE, 'envWorkloadSignature verified with env.signingKey');
  const certificate = verdict.certificate;
  if (certificate === undefined) return;
  if (verdict.expired) {
    log.error(
      SIGNATURE,
      'HPL12007E',
      `The contract expired on ${certificate.notAfter.toISOString()} (env.signingKey certificate notAfter)`,
    );
    throw new ServiceFailure(SIGNATURE);
  }
  if (verdict.notYetValid) {
    log.error(
      SIGNATURE,
      'HPL12007E',
      `The contract is not valid before ${certificate.notBefore.toISOString()} (env.signingKey certificate notBefore)`,
    );
    throw new ServiceFailure(SIGNATURE);
  }
  const daysLeft = wholeDaysBetween(context.now, certificate.notAfter);
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    log.warn(
      SIGNATURE,
      'HPL12006E',
      `The contract will expire on ${certificate.notAfter.toISOString()} (${daysLeft} days left)`,
    );
  } else {
    log.info(
      SIGNATURE,
      'HPL12005E',
      `The contract is valid until ${certificate.notAfter.toISOString()} (${daysLeft} days left)`,
    );
  }
}

function fail(context: BootContext, reason: string): never {
  context.console.error(
    SIGNATURE,
    'HPL12001E',
    `Contract signature verification failed: ${reason}`,
  );
  throw new ServiceFailure(SIGNATURE);
}
