// Types of docker-registry.mjs, for the tests that import it.
export interface Registry {
  host: string;
  /** Pushes a local image as `host/repository:tag`; returns `host/repository@<digest>` as the registry reports it. */
  push(local: string, repository: string, tag: string): Promise<string>;
  stop(): Promise<void>;
}
export declare function startRegistry(options: {
  dir: string;
  tlsDir: string;
  username: string;
  password: string;
  env?: Record<string, string>;
}): Promise<Registry>;
export declare function trustRegistryCa(envFile: string, caFile: string): void;
