import { HpvsError } from '../errors.js';

/** A workload file the runtime cannot read stops the workload, as the runtime's own would. */
export function runtimeYaml<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof HpvsError) || error.code !== 'YAML_INVALID') throw error;
    throw new HpvsError('RUNTIME_FAILED', error.message, { cause: error });
  }
}
