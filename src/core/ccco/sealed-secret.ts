import { isStrictBase64 } from '../crypto/strict-base64.js';
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { decryptionFailed, HpvsError } from '../errors.js';
import type { RandomSource } from '../crypto/random-source.js';
import {
  rsaDecryptPkcs1v15,
  rsaEncryptPkcs1v15,
  rsaModulusBytes,
} from '../crypto/rsa-pkcs1-v15.js';

/**
 * Sealed secrets (SPEC-IBM A7.4): `sealed.` + a compact JWS (RS512) whose payload is an
 * envelope of an AES-256-GCM ciphertext and its key wrapped with RSAES-PKCS1-v1_5. The
 * confidential VM opens it with the `secret` keys of the workload's or env's
 * `confidential-containers` section, chosen by the type.
 */

export const SEALED_TYPES = ['workload', 'env'] as const;
export type SealedType = (typeof SEALED_TYPES)[number];

const SEALED_PREFIX = 'sealed';
const PROVIDER = 'ibm-hpcr-contract';
const ENVELOPE_TYPE = 'kms';
const ENVELOPE_VERSION = '0.1.0';
const WRAP_TYPE = 'A256GCM';
const AES_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Kubernetes secrets hold at most 1 MiB; a sealed one is about 4/3 of that plus the wrapping. */
export const MAX_SEALED_CHARS = 2 * 1024 * 1024;
export const MAX_SECRET_BYTES = 1024 * 1024;

export interface SealParams {
  secret: Uint8Array;
  type: SealedType;
  /** The public half of the pair whose private key is the section's `decryptionKey`. */
  encryptionKey: KeyObject;
  /** The private half of the pair whose public key is the section's `verificationKey`. */
  signingKey: KeyObject;
  random: RandomSource;
}

export function sealSecret(params: SealParams): string {
  if (params.secret.length === 0) {
    throw new HpvsError('SECRET_INVALID', 'the secret to seal is empty');
  }
  if (params.secret.length > MAX_SECRET_BYTES) {
    throw new HpvsError(
      'SECRET_INVALID',
      `the secret is larger than ${MAX_SECRET_BYTES} bytes (the Kubernetes limit)`,
    );
  }
  const encryptionKey =
    params.encryptionKey.type === 'private'
      ? createPublicKey(params.encryptionKey)
      : params.encryptionKey;
  rsaModulusBytes(encryptionKey);
  rsaModulusBytes(params.signingKey);
  const key = params.random(AES_KEY_BYTES);
  const iv = params.random(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([
    cipher.update(params.secret),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const wrapped = rsaEncryptPkcs1v15(encryptionKey, key, params.random);
  // Keys in this order: IBM's JSON encoder sorts them, and the signed bytes must match it.
  const envelope = JSON.stringify({
    encrypted_data: ciphertext.toString('base64'),
    encrypted_key: wrapped.toString('base64'),
    iv: Buffer.from(iv).toString('base64'),
    key_id: `${params.type}_decrypt`,
    provider: PROVIDER,
    type: ENVELOPE_TYPE,
    version: ENVELOPE_VERSION,
    wrap_type: WRAP_TYPE,
  });
  const header = base64url(JSON.stringify({ alg: 'RS512', kid: `${params.type}_verify` }));
  const signingInput = `${header}.${base64url(envelope)}`;
  const signature = sign('sha512', Buffer.from(signingInput), params.signingKey);
  return `${SEALED_PREFIX}.${signingInput}.${base64url(signature)}`;
}

export interface UnsealParams {
  /** The section's `verificationKey`. */
  verificationKey: KeyObject;
  /** The section's `decryptionKey`. */
  decryptionKey: KeyObject;
  /** The section whose keys these are; a value sealed for the other one is refused. */
  type?: SealedType;
}

/**
 * Verifies, then decrypts. Whatever is wrong (format, header, signature, key, ciphertext), the
 * caller sees the one generic decryption error, so nothing leaks which check failed.
 */
export function unsealSecret(sealed: string, params: UnsealParams): Buffer {
  try {
    return open(sealed.trim(), params);
  } catch (error) {
    throw decryptionFailed(error);
  }
}

function open(sealed: string, params: UnsealParams): Buffer {
  if (sealed.length > MAX_SEALED_CHARS) throw new Error('too long');
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== SEALED_PREFIX) throw new Error('not sealed.H.P.S');
  const [, header, payload, signature] = parts as [string, string, string, string];
  for (const part of [header, payload, signature]) {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error('not base64url');
    // canonical only: a last character differing in the bits base64 ignores would otherwise
    // give the same signature bytes, so a changed value would still open
    if (Buffer.from(part, 'base64url').toString('base64url') !== part) {
      throw new Error('not canonical base64url');
    }
  }
  rsaModulusBytes(params.verificationKey);
  const valid = verify(
    'sha512',
    Buffer.from(`${header}.${payload}`),
    params.verificationKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('signature');
  const headerJson = strictObject(Buffer.from(header, 'base64url').toString('utf8'));
  const type = typeFromKid(headerJson.kid);
  if (
    headerJson.alg !== 'RS512' ||
    Object.keys(headerJson).length !== 2 ||
    (params.type !== undefined && params.type !== type)
  ) {
    throw new Error('header');
  }
  const envelope = strictObject(Buffer.from(payload, 'base64url').toString('utf8'));
  if (
    envelope.provider !== PROVIDER ||
    envelope.type !== ENVELOPE_TYPE ||
    envelope.version !== ENVELOPE_VERSION ||
    envelope.wrap_type !== WRAP_TYPE ||
    envelope.key_id !== `${type}_decrypt`
  ) {
    throw new Error('envelope');
  }
  const iv = base64Field(envelope.iv);
  const wrapped = base64Field(envelope.encrypted_key);
  const data = base64Field(envelope.encrypted_data);
  if (iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new Error('sizes');
  const key = rsaDecryptPkcs1v15(params.decryptionKey, wrapped);
  if (key.length !== AES_KEY_BYTES) throw new Error('key size');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

function typeFromKid(kid: unknown): SealedType {
  const type = SEALED_TYPES.find((candidate) => kid === `${candidate}_verify`);
  if (type === undefined) throw new Error('kid');
  return type;
}

function strictObject(text: string): Record<string, unknown> {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('json');
  return value as Record<string, unknown>;
}

function base64Field(value: unknown): Buffer {
  if (typeof value !== 'string' || !isStrictBase64(value)) {
    throw new Error('base64');
  }
  return Buffer.from(value, 'base64');
}

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Which section's keys a sealed value names (its header `kid`), to pick the keys to try; the
 * signature check in `unsealSecret` then holds the value to that type. Undefined when the value
 * is not shaped like a sealed secret.
 */
export function sealedSecretType(sealed: string): SealedType | undefined {
  const header = sealed.trim().split('.')[1];
  if (header === undefined || !/^[A-Za-z0-9_-]{1,200}$/.test(header)) return undefined;
  try {
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: unknown })
      .kid;
    return SEALED_TYPES.find((type) => kid === `${type}_verify`);
  } catch {
    return undefined;
  }
}
