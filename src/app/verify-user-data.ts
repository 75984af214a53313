import type { VerificationCheck } from '../core/pki/verification-check.js';
import { input as inputPhrase, worded, type Notice } from '../core/wording.js';
import type { KeyObject } from 'node:crypto';
import { DAY_MS } from '../core/days.js';
import { HpvsError } from '../core/errors.js';
import type { PublicKeyMaterial } from '../core/crypto/keys.js';
import { parseUserData } from '../core/contract/user-data.js';
import { verifyContract, type SigningCertificateInfo } from '../core/contract/verify-contract.js';
import type { SourcedBytes } from '../core/attestation/verify-record.js';
import { systemRandom } from '../node/random.js';

export interface VerifyUserDataInput {
  /** The user-data as read. */
  text: string;
  source: string;
  /** The key or certificate to check the signature with; else env.signingKey. */
  signingKey?: PublicKeyMaterial | undefined;
  /** Where signingKey came from, for messages. */
  signingKeySource?: string | undefined;
  /** The runtime's private key, to read signingKey from an encrypted env. */
  decryptKey?: KeyObject | undefined;
  /** A CA that must have issued a certificate signingKey (contract expiry). */
  ca?: SourcedBytes | undefined;
  now: Date;
}

export interface UserDataVerification {
  source: string;
  /** true when the signature holds, the contract is within its dates and the CA (if any) issued it. */
  ok: boolean;
  signatureValid: boolean;
  keySource: 'given' | 'env.signingKey';
  certificate?: SigningCertificateInfo & { daysLeft: number };
  expired: boolean;
  notYetValid: boolean;
  /** The --ca check: present when a CA was given. */
  /** Whether the signing certificate chains to the given CA: the chain check's detail. */
  issuedBy?: { source: string; valid: boolean } & Pick<VerificationCheck, 'detail' | 'wording'>;
  /** True when workload or env is not a token: the file can hold secrets in the clear. */
  plaintextSections: boolean;
  warnings: Notice[];
}

/**
 * `verify`: the envWorkloadSignature of a user-data with a given key or its env.signingKey, the
 * contract's dates for a certificate signingKey, and optionally the CA that issued it.
 */
export async function verifyUserData(input: VerifyUserDataInput): Promise<UserDataVerification> {
  const parsed = parseUserData(input.text, input.source);
  const result = verifyContract(parsed, {
    signingKey: input.signingKey,
    decryptKey: input.decryptKey,
    random: systemRandom,
    now: input.now,
  });
  const { certificate } = result;
  let issuedBy: UserDataVerification['issuedBy'];
  if (input.ca !== undefined) {
    if (!certificate) {
      throw new HpvsError(
        'VERIFICATION_FAILED',
        worded`${input.source}: the signing key is a bare public key, so there is no certificate to check against ${inputPhrase('signing-ca')}`,
      );
    }
    const [{ parseCertificates }, { verifyChain }] = await Promise.all([
      import('../core/pki/parse-pki.js'),
      import('../core/pki/verify-chain.js'),
    ]);
    const chain = await verifyChain({
      leaf: parseCertificates(
        Buffer.from(result.certificatePem!),
        result.keySource === 'given' ? (input.signingKeySource ?? 'signing key') : 'env.signingKey',
      )[0]!,
      leafRole: 'contract signing certificate',
      intermediates: [],
      roots: parseCertificates(input.ca.bytes, input.ca.source),
      crls: [],
      at: input.now,
      allowMissingCrl: true,
    });
    const [check] = chain.checks;
    issuedBy = {
      source: input.ca.source,
      valid: check.status === 'pass',
      detail: check.detail,
      ...(check.wording === undefined ? {} : { wording: check.wording }),
    };
  }
  return {
    source: input.source,
    ok: result.ok && result.signatureValid && (issuedBy?.valid ?? true),
    signatureValid: result.signatureValid,
    keySource: result.keySource,
    ...(certificate
      ? {
          certificate: {
            ...certificate,
            daysLeft: Math.round((certificate.notAfter.getTime() - input.now.getTime()) / DAY_MS),
          },
        }
      : {}),
    expired: result.expired,
    notYetValid: result.notYetValid,
    ...(issuedBy ? { issuedBy } : {}),
    plaintextSections: ['workload', 'env'].some(
      (key) => parsed.sections.get(key)?.form !== 'token',
    ),
    warnings: result.warnings,
  };
}
