import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HpvsError } from '../../core/errors.js';
import type { PlannedContainer } from '../../core/workload/container-plan.js';
import { planContainers } from '../../core/workload/plan-containers.js';
import { writeArchiveEntries } from '../../node/write-folder.js';
import type {
  ContainerResult,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
} from './container-runtime.js';

export type { PlannedContainer, PlannedPort } from '../../core/workload/container-plan.js';

/**
 * The workload plan of the core (`planContainers`) placed in the runtime's work folder, where
 * an engine reads its files.
 */
export interface WorkloadPlan {
  kind: 'compose' | 'play';
  /** The folder holding the files the runtime reads (compose folder or pod YAML files). */
  dir: string;
  /** compose: the compose file; play: the pod YAML files, in order. */
  files: string[];
  containers: PlannedContainer[];
  problems: string[];
}

export interface PlanOptions {
  /**
   * Write the workload's files below `workDir` for an engine to read. Off for a plan: the
   * decrypted workload then never touches the disk.
   */
  materialize?: boolean;
}

export async function planWorkload(
  input: ContainerRuntimeInput,
  options: PlanOptions = {},
): Promise<WorkloadPlan> {
  const planned = await planContainers(input.workload, input.environment, input.volumes);
  const dir = join(input.workDir, planned.folder);
  if (options.materialize ?? false) {
    if ('archive' in planned.contents) {
      await writeArchiveEntries(dir, planned.contents.archive);
    } else {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // the templates are filled with the contract's environment, which may hold secrets
      await writeFile(join(dir, planned.files[0]!), planned.contents.rendered, { mode: 0o600 });
    }
  }
  return {
    kind: planned.kind,
    dir,
    files: planned.files.map((file) => join(dir, file)),
    containers: planned.containers,
    problems: planned.problems,
  };
}

/** The plan, or a `RUNTIME_FAILED` error listing every problem that keeps it from starting. */
export async function startablePlan(
  input: ContainerRuntimeInput,
  options: PlanOptions = {},
): Promise<WorkloadPlan> {
  const plan = await planWorkload(input, options);
  if (plan.problems.length > 0) {
    throw new HpvsError('RUNTIME_FAILED', `the workload cannot start: ${plan.problems.join('; ')}`);
  }
  return plan;
}

/** One result per planned container, all with the same status. */
export function containerResults(
  plan: WorkloadPlan,
  status: ContainerResult['status'],
): ContainerRuntimeResult {
  return {
    containers: plan.containers.map((container) => ({
      name: container.name,
      image: container.image,
      status,
      detail: describeContainer(container),
    })),
  };
}

/** One line per container, for the console. */
export function describeContainer(container: PlannedContainer): string {
  const ports = container.ports
    .map((p) => `${p.host ?? '(ephemeral)'}->${p.container}/${p.protocol}`)
    .join(', ');
  const mounts = container.mounts.map((m) => `${m.source}->${m.target}`).join(', ');
  return `${container.name}: image ${container.image} (${container.trust === 'digest' ? 'pinned by digest' : `signed, ${container.trust}`})${ports ? `, ports ${ports}` : ''}${mounts ? `, mounts ${mounts}` : ''}`;
}
