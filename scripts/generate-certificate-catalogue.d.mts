// Types of generate-certificate-catalogue.mjs, for the test that imports it.
export declare const CERTS_DIR: string;
export declare const CATALOGUE_PATH: string;
export declare function versionOfFileName(name: string): string;
export declare function deriveCatalogue(): Array<Record<string, string>>;
export declare function catalogueModuleText(): Promise<string>;
