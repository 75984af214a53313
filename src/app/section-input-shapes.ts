import type {
  Credential,
  KmsInput,
  WorkloadSectionInput,
} from '../core/authoring/section-builders.js';
import { HpvsError } from '../core/errors.js';

/**
 * The shapes of the YAML files a user hands the section builders (registry credentials, image
 * signature settings, key endpoints): what the builders' types promise (mappings, lists,
 * strings where strings are named). Lengths, patterns and unknown keys are the contract
 * schema's to refuse once the section is built, with the path of the value.
 */

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isMappingOf = (value: unknown, entry: (item: Mapping) => boolean): boolean =>
  isMapping(value) && Object.values(value).every((item) => isMapping(item) && entry(item));

const stringsAt = (item: Mapping, keys: readonly string[]): boolean =>
  keys.every((key) => typeof item[key] === 'string');

function shapeError(source: string, expected: string): HpvsError {
  return new HpvsError('CONTRACT_INVALID', `${source}: expected ${expected}`);
}

/** Registry host -> {username, password}. */
export function authsFrom(value: unknown, source: string): Record<string, Credential> {
  if (!isMappingOf(value, (item) => stringsAt(item, ['username', 'password']))) {
    throw shapeError(source, 'a YAML mapping of registry host -> {username, password}');
  }
  return value as Record<string, Credential>;
}

/** `dct` (image -> {notary, publicKey}) and `rhs` (image -> {publicKey}). */
export function imagesFrom(
  value: unknown,
  source: string,
): NonNullable<WorkloadSectionInput['images']> {
  const fits =
    isMapping(value) &&
    (value['dct'] === undefined ||
      isMappingOf(value['dct'], (item) => stringsAt(item, ['notary', 'publicKey']))) &&
    (value['rhs'] === undefined ||
      isMappingOf(value['rhs'], (item) => stringsAt(item, ['publicKey'])));
  if (!fits) {
    throw shapeError(
      source,
      'a YAML mapping with dct (image -> {notary, publicKey}) and/or rhs (image -> {publicKey})',
    );
  }
  return value as NonNullable<WorkloadSectionInput['images']>;
}

/** A list of HPCS key endpoints {apiKey, crn, type}. */
export function kmsFrom(value: unknown, source: string): KmsInput[] {
  if (
    !Array.isArray(value) ||
    !value.every(
      (item) =>
        isMapping(item) &&
        stringsAt(item, ['apiKey', 'crn']) &&
        [undefined, 'public', 'private'].includes(item['type'] as string | undefined),
    )
  ) {
    throw shapeError(source, 'a YAML list of {apiKey, crn, type}');
  }
  return value as KmsInput[];
}
