// Types of the generated module beside it (scripts/generate-validators.mjs writes it).
import type { ValidateFunction } from 'ajv';

export declare const cocoWorkload: ValidateFunction;
export declare const cocoEnv: ValidateFunction;
