// Types of generate-validators.mjs, for the tests that import it.
export interface ValidatorModule {
  path: string;
  names: string[];
}
export declare const VALIDATOR_MODULES: ValidatorModule[];
export declare function validatorModuleText(module: ValidatorModule): Promise<string>;
export declare function writeValidatorModule(): Promise<boolean>;
