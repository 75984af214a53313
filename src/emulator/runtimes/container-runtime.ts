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
  /**
   * The host folder that stands in for the opened LUKS2 mapping (device-mapper is not
   * available to the emulator); a runtime that starts containers mounts it at `mount`.
   */
  folder: string;
}

export interface ContainerRuntimeInput {
  /** The decrypted, validated `workload` section as plain data. */
  workload: Record<string, unknown>;
  /** The decrypted `env` section: its `auths` and `cacerts` overlay the workload's. */
  env?: Record<string, unknown>;
  /** `workload.env` overlaid with `env.env`, what the containers see. */
  environment: Record<string, string>;
  volumes: ContractVolume[];
  /** An empty, owner-only folder the runtime may use (the archive is extracted below it). */
  workDir: string;
  /** The instance folder; a runtime names and labels what it creates after it. */
  instanceDir: string;
  /** Prints a console line under the containers service. */
  log(text: string): void;
  /** Prints (and forwards) one line of a container's output under the container's name. */
  output?(container: string, text: string): void;
}

export interface ContainerResult {
  name: string;
  image: string;
  status: 'planned' | 'started' | 'failed';
  detail: string;
}

export interface ContainerRuntimeResult {
  containers: ContainerResult[];
  /** Present when containers were really started: what the boot does with them afterwards. */
  running?: RunningWorkload;
}

export interface RunningWorkload {
  /** Resolves when every container has exited, or as soon as `signal` aborts. */
  wait(signal: AbortSignal): Promise<void>;
  /** Stops following the containers' output and leaves them running. */
  detach(): Promise<void>;
  /** Stops and removes everything the runtime created for this workload. */
  remove(): Promise<void>;
}

export interface ContainerRuntime {
  readonly name: string;
  /** Resolves when every container is planned or started; rejects (HpvsError) otherwise. */
  run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult>;
  /**
   * Called before the boot touches the instance folder: rejects when a workload this runtime
   * left running there (`--keep-running`) still runs, so its files are not replaced under it.
   */
  checkInstance?(instanceDir: string): Promise<void>;
}
