import { HpvsError } from '../../errors.js';
import type {
  ContainerRuntime,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
} from './container-runtime.js';
import { describeContainer, planWorkload } from './workload-plan.js';

/**
 * The default runtime: unpacks and checks the workload exactly as far as possible without a
 * container engine, prints the plan and starts nothing.
 */
export const planRuntime: ContainerRuntime = {
  name: 'plan',
  async run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult> {
    const plan = await planWorkload(input);
    if (plan.problems.length > 0) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        `the workload cannot start: ${plan.problems.join('; ')}`,
      );
    }
    for (const container of plan.containers) input.log(`plan: ${describeContainer(container)}`);
    return {
      containers: plan.containers.map((container) => ({
        name: container.name,
        image: container.image,
        status: 'planned',
        detail: describeContainer(container),
      })),
    };
  },
};
