import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceFailure, sectionData, type BootContext } from '../boot-context.js';
import { contractVolumes } from './volumes.js';

export const CONTAINERS = 'hpl-containers';

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, String(v)]));
}

/** Hands the decrypted workload to the selected container runtime. */
export async function runContainers(context: BootContext): Promise<void> {
  const log = context.console;
  const workload = sectionData(context, 'workload');
  const environment = {
    ...stringMap(workload['env']),
    ...stringMap(sectionData(context, 'env')['env']),
  };
  const workDir = join(context.outDir, 'workload');
  // missing or empty (openInstanceFolder removed the previous boot's files, and only those);
  // the runtime may write the decrypted workload here: owner only
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  let containers;
  try {
    ({ containers, running: context.running } = await context.runtime.run({
      workload,
      env: sectionData(context, 'env'),
      environment,
      volumes: contractVolumes(context),
      workDir,
      instanceDir: context.outDir,
      log: (text) => log.note(CONTAINERS, text),
      // a container's bytes are anybody's: no control character reaches the console or syslog
      output: (container, text) =>
        log.note(
          container.replace(/[^\x21-\x7e]/g, '_'),
          text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?'),
        ),
    }));
  } catch (error) {
    log.error(CONTAINERS, undefined, `runtime ${context.runtime.name}: ${log.reason(error)}`);
    throw new ServiceFailure(CONTAINERS);
  }
  const failed = containers.filter((container) => container.status === 'failed');
  if (failed.length > 0) {
    for (const container of failed)
      log.error(CONTAINERS, undefined, `${container.name}: ${container.detail}`);
    throw new ServiceFailure(CONTAINERS);
  }
  for (const container of containers) {
    if (container.status === 'started') log.note(CONTAINERS, `started ${container.detail}`);
  }
  const planned = containers.every((container) => container.status === 'planned');
  log.info(
    CONTAINERS,
    'HPL15004I',
    `The pod started successfully.${planned ? ` (runtime ${context.runtime.name}: ${containers.length} container${containers.length === 1 ? '' : 's'} planned, none started)` : ''}`,
  );
}
