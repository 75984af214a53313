import { writeValidatorModule } from '../scripts/generate-validators.mjs';

/** Precompiles the contract schema's validators (as `npm run build` does) before any test. */
export default async function setup(): Promise<void> {
  await writeValidatorModule();
}
