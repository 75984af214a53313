import type { TestProject } from 'vitest/node';
import { writeValidatorModule } from '../scripts/generate-validators.mjs';
import { generateSharedRsaKeys } from './helpers/shared-rsa-keys.js';

/**
 * Precompiles the contract schema's validators (as `npm run build` does) and makes the run's
 * shared RSA-4096 keys (test/helpers/shared-rsa-keys.ts) before any test.
 */
export default async function setup(project: TestProject): Promise<void> {
  const [keys] = await Promise.all([generateSharedRsaKeys(), writeValidatorModule()]);
  project.provide('sharedRsa4096', keys);
}
