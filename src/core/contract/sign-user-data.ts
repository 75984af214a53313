import { input, worded, wordedText, type Notice } from '../wording.js';
import type { KeyObject } from 'node:crypto';
import { signContract } from '../crypto/contract-signature.js';
import { parsePublicKeyOrCertificate } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';
import { samePublicKey } from './signing-key.js';
import {
  isPlaintextSection,
  parseUserData,
  type ContractSection,
  type ParsedUserData,
} from './user-data.js';

export interface SignedUserData {
  text: string;
  signature: string;
  warnings: Notice[];
}

/** The exact value strings of workload and env, or a clear error when either is missing. */
export function signedSections(parsed: ParsedUserData): {
  workload: ContractSection;
  env: ContractSection;
} {
  const get = (key: 'workload' | 'env'): ContractSection => {
    const section = parsed.sections.get(key);
    if (section === undefined) {
      throw new HpvsError('CONTRACT_INVALID', `${parsed.source}: has no ${key} section to sign`);
    }
    if (section.form === 'other') {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${parsed.source}: ${key} must be the section as a | block string or a mapping, or an encrypted token`,
      );
    }
    return section;
  };
  return { workload: get('workload'), env: get('env') };
}

/**
 * Signs an existing user-data text: sets or replaces `envWorkloadSignature`, leaving every
 * other byte as it was. A plaintext env whose signingKey is another key is refused.
 */
export function signUserData(text: string, source: string, privateKey: KeyObject): SignedUserData {
  const parsed = parseUserData(text, source);
  const { workload, env } = signedSections(parsed);
  const warnings: Notice[] = [];
  if (isPlaintextSection(env)) {
    const signingKey = (env.data as Record<string, unknown> | null)?.signingKey;
    if (typeof signingKey !== 'string') {
      warnings.push(
        wordedText(
          worded`${source}: env has no signingKey, so the runtime cannot check the signature; ${input('add-signing-key-to-env')}`,
        ),
      );
    } else if (
      !samePublicKey(
        parsePublicKeyOrCertificate(signingKey, `${source}: env.signingKey`).publicKey,
        privateKey,
      )
    ) {
      throw new HpvsError(
        'KEY_INVALID',
        `${source}: env.signingKey is not the public key of the signing key; the runtime would reject this signature`,
      );
    }
  }
  const signature = signContract(workload.value, env.value, privateKey);
  const existing = parsed.sections.get('envWorkloadSignature');
  const range = existing?.node?.range;
  let signed: string;
  if (existing && range && range[1] > range[0]) {
    signed = `${text.slice(0, range[0])}${signature}${text.slice(range[1])}`;
  } else if (existing) {
    // `envWorkloadSignature:` with no value yet, as templates leave it
    const empty = /^envWorkloadSignature:[ \t]*(?:#.*)?$/m;
    if (!empty.test(text)) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        `${source}: envWorkloadSignature has no value to replace; remove the key and sign again`,
      );
    }
    signed = text.replace(empty, `envWorkloadSignature: ${signature}`);
  } else {
    signed = `${text.endsWith('\n') || text === '' ? text : `${text}\n`}envWorkloadSignature: ${signature}\n`;
  }
  return { text: signed, signature, warnings };
}
