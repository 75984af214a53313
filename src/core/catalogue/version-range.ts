import semver from 'semver';
import { HpvsError } from '../errors.js';

/**
 * Version constraints as IBM's tools take them (SPEC-IBM A4.3: Masterminds semver): `1.0.29`
 * means exactly that version; `>=1.0.28`, `~1.0.28`, `^1.0.28`, `1.0.x`, `*`, `1.0.26 - 1.0.29`;
 * a comma or a space is AND, `||` is OR. npm's semver reads the same syntax once commas are
 * spaces.
 */
export function parseVersionRange(text: string, what = 'version'): semver.Range {
  const spaced = text.replace(/,/g, ' ').trim();
  const range = spaced === '' ? null : semver.validRange(spaced);
  if (range === null) {
    throw new HpvsError(
      'VERSION_INVALID',
      `${what} "${printable(text)}" is not a version or a range (like 1.0.29, >=1.0.28, ~1.0.28, 1.0.x or *)`,
    );
  }
  return new semver.Range(range);
}

/**
 * A version key as IBM's tools accept it (loose: `v1.0.2`, `1.0`), normalised to `x.y.z`;
 * undefined when it is not a version at all.
 */
export function normaliseVersion(key: string): string | undefined {
  const valid = semver.valid(key, { loose: true });
  if (valid !== null) return valid;
  return /^v?\d+(\.\d+)?$/i.test(key.trim())
    ? (semver.coerce(key)?.version ?? undefined)
    : undefined;
}

/**
 * The highest candidate whose version satisfies the range; among equal versions the later one
 * in the input (as IBM picks images). Undefined when none matches.
 */
export function highestMatching<T extends { version: string }>(
  candidates: readonly T[],
  range: semver.Range,
): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (!range.test(candidate.version)) continue;
    if (best === undefined || semver.gte(candidate.version, best.version)) best = candidate;
  }
  return best;
}

/** Text from an input file or argv, shown without control characters and bounded. */
export function printable(text: string, max = 60): string {
  const shown = text.slice(0, max).replace(/[^\x20-\x7e]/g, '?');
  return text.length > max ? `${shown}...` : shown;
}
