import { input, worded } from '../wording.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parsePublicKeyOrCertificate, type PublicKeyMaterial } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';
import { normalizePem } from '../crypto/pem-text.js';
import { parseSectionText, type ContractSection } from './user-data.js';

// A KeyObject cannot change, so its public key's DER is computed once (a batch compares the
// same private signing key with each contract's signingKey).
const publicDer = new WeakMap<KeyObject, Buffer>();

function spkiDer(key: KeyObject): Buffer {
  let der = publicDer.get(key);
  if (der === undefined) {
    der = (key.type === 'private' ? createPublicKey(key) : key).export({
      format: 'der',
      type: 'spki',
    });
    publicDer.set(key, der);
  }
  return der;
}

/** True when two keys are the same public key (compared as DER, never as text). */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return spkiDer(a).equals(spkiDer(b));
}

/**
 * Refuses a signingKey (public key or certificate) that does not belong to the private key,
 * since the runtime would then reject every signature made with it.
 */
export function assertSigningKeyMatches(
  signingKey: PublicKeyMaterial,
  privateKey: KeyObject,
  source: string,
): void {
  if (!samePublicKey(signingKey.publicKey, privateKey)) {
    throw new HpvsError(
      'KEY_INVALID',
      `${source}: the signing ${signingKey.certificate ? 'certificate' : 'public key'} does not belong to the private signing key`,
    );
  }
}

/**
 * Adds `signingKey` to the exact text of a plaintext env section (appended as a literal block,
 * the rest of the text untouched). An existing signingKey must be the same key.
 */
export function injectSigningKey(envText: string, signingKeyPem: string, source: string): string {
  return withSigningKey(parseSectionText('env', envText, source), signingKeyPem, source).value;
}

/**
 * `injectSigningKey` on an env section already parsed from its file text (`section.value`),
 * giving the section parsed from the new text; `parsedKey` is `signingKeyPem` parsed, when the
 * caller has it. The assembly uses it to parse each text once.
 */
export function withSigningKey(
  section: ContractSection,
  signingKeyPem: string,
  source: string,
  parsedKey?: PublicKeyMaterial,
): ContractSection {
  const envText = section.value;
  if (section.form !== 'mapping') {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}: env is ${section.form === 'token' ? 'already encrypted' : 'not a YAML mapping'}, so hpvs-ctl cannot add signingKey to it`,
    );
  }
  const wanted = parsedKey ?? parsePublicKeyOrCertificate(signingKeyPem, 'signing key');
  const existing = (section.data as Record<string, unknown>).signingKey;
  if (existing !== undefined) {
    const present =
      typeof existing === 'string'
        ? parsePublicKeyOrCertificate(existing, `${source}: signingKey`)
        : undefined;
    const same =
      present !== undefined &&
      samePublicKey(present.publicKey, wanted.publicKey) &&
      (present.certificate?.raw.equals(wanted.certificate?.raw ?? Buffer.alloc(0)) ??
        wanted.certificate === undefined);
    if (same) return section;
    throw new HpvsError(
      'CONTRACT_INVALID',
      worded`${source}: env already has a different signingKey; remove it so hpvs-ctl can add the one for ${input('signing-key')}`,
    );
  }
  if ((section.node as { flow?: boolean } | null)?.flow || /^\s/.test(firstContentLine(envText))) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}: env must be a block mapping starting in column 1 to add signingKey to it`,
    );
  }
  const pem = normalizePem(signingKeyPem);
  const block = pem
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  const text = `${envText.endsWith('\n') || envText === '' ? envText : `${envText}\n`}signingKey: |\n${block}\n`;
  const check = parseSectionText('env', text, source);
  if ((check.data as Record<string, unknown>).signingKey !== pem) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}: cannot add signingKey to this env text (does it end inside a block or document marker?)`,
    );
  }
  return check;
}

function firstContentLine(text: string): string {
  return (
    text.split('\n').find((line) => line.trim() !== '' && !line.trimStart().startsWith('#')) ?? ''
  );
}
