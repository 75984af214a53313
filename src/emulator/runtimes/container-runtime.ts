/**
 * The contract between the emulator and whatever starts containers. A runtime gets the
 * decrypted workload, the merged environment and a work folder, and starts (or only plans)
 * the containers, reporting one result per container. A third-party runtime is an ES module
 * whose default export (or `runtime` export) implements `ContainerRuntime`.
 */

export interface ContractVolume {
  name: string;
  /** Where the workload expects the volume (`workload.volumes.<name>.mount`). */
  mount: string;
}

export interface ContainerRuntimeInput {
  /** The decrypted, validated `workload` section as plain data. */
  workload: Record<string, unknown>;
  /** `workload.env` overlaid with `env.env`, what the containers see. */
  environment: Record<string, string>;
  volumes: ContractVolume[];
  /** An empty folder the runtime may use (the archive is extracted below it). */
  workDir: string;
  /** Prints a console line under the containers service. */
  log(text: string): void;
}

export interface ContainerResult {
  name: string;
  image: string;
  status: 'planned' | 'started' | 'failed';
  detail: string;
}

export interface ContainerRuntimeResult {
  containers: ContainerResult[];
}

export interface ContainerRuntime {
  readonly name: string;
  /** Resolves when every container is planned or started; rejects (HpvsError) otherwise. */
  run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult>;
}
