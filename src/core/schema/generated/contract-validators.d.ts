// Types of the generated module beside it (scripts/generate-validators.mjs writes it).
import type { ValidateFunction } from 'ajv';

export declare const workload: ValidateFunction;
export declare const env: ValidateFunction;
export declare const network: ValidateFunction;
