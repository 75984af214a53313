// Types of generate-validators.mjs, for the tests that import it.
export declare const VALIDATORS_PATH: string;
export declare function validatorModuleText(): Promise<string>;
export declare function writeValidatorModule(): Promise<boolean>;
