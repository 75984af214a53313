import type {
  ContainerRuntime,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
} from './container-runtime.js';
import { containerResults, describeContainer, startablePlan } from './workload-plan.js';

/**
 * The default runtime: unpacks and checks the workload exactly as far as possible without a
 * container engine, prints the plan and starts nothing.
 */
export const planRuntime: ContainerRuntime = {
  name: 'plan',
  async run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult> {
    const plan = await startablePlan(input);
    for (const container of plan.containers) input.log(`plan: ${describeContainer(container)}`);
    return containerResults(plan, 'planned');
  },
};
