import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HpvsError } from '../../core/errors.js';
import type { ContainerRuntime } from './container-runtime.js';
import type { PodmanConfigChoice } from './podman-config.js';
import { createPodmanRuntime } from './podman-runtime.js';
import { planRuntime } from './plan-runtime.js';
import { importModule } from '../../node/import-module.js';

export const BUILT_IN_RUNTIMES = ['plan', 'podman'] as const;

/**
 * `plan` and `podman` are built in; anything else is the path of an ES module whose default
 * export (or `runtime` export) is a `ContainerRuntime`.
 */
export async function selectRuntime(
  name: string,
  options: { podmanConfig?: PodmanConfigChoice } = {},
): Promise<ContainerRuntime> {
  if (name === 'plan') return planRuntime;
  if (name === 'podman')
    return createPodmanRuntime(
      options.podmanConfig === undefined ? {} : { config: options.podmanConfig },
    );
  if (!/[/\\.]/.test(name)) {
    throw new HpvsError(
      'USAGE',
      `unknown runtime "${name}": use plan, podman, or the path of a module (./my-runtime.mjs)`,
    );
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = await importModule(pathToFileURL(resolve(name)).href);
  } catch (error) {
    throw new HpvsError(
      'RUNTIME_FAILED',
      `cannot load the runtime module ${name}: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  const candidate = (loaded['default'] ?? loaded['runtime']) as
    Partial<ContainerRuntime> | undefined;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.run !== 'function') {
    throw new HpvsError(
      'RUNTIME_FAILED',
      `${name} does not export a container runtime: export default { name, async run(input) { ... } }`,
    );
  }
  return {
    name: typeof candidate.name === 'string' ? candidate.name : name,
    run: candidate.run.bind(candidate),
    ...(typeof candidate.checkInstance === 'function'
      ? { checkInstance: candidate.checkInstance.bind(candidate) }
      : {}),
  };
}
