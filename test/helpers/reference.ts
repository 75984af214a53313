import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './run-cli.js';

/**
 * The shared reference data (IBM certificates, fixtures, schemas, Wycheproof vectors) lives
 * outside the project at ../shared/reference. Tests that need it skip visibly when absent.
 */
export const REFERENCE_DIR =
  process.env.HPVS_REFERENCE_DIR ?? join(PROJECT_ROOT, '..', 'shared', 'reference');
export const HAS_REFERENCE = existsSync(REFERENCE_DIR);
export const REFERENCE_SKIP_REASON = `reference data not found at ${REFERENCE_DIR}`;

export function referencePath(...parts: string[]): string {
  return join(REFERENCE_DIR, ...parts);
}
