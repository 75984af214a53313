import { HpvsError } from '../../errors.js';
import { runProcess } from '../../io/run-process.js';
import type {
  ContainerRuntime,
  ContainerRuntimeInput,
  ContainerRuntimeResult,
} from './container-runtime.js';
import { containerResults, startablePlan, type WorkloadPlan } from './workload-plan.js';

export interface PodmanCommand {
  args: string[];
  /** Variables the command needs besides the caller's environment (compose interpolation). */
  env: Record<string, string>;
  /** Standard input: registry passwords go here, never into argv. */
  stdin?: string;
}

/**
 * `podman login` for each `workload.auths` entry, the password on standard input. Docker Hub's
 * legacy key `https://index.docker.io/v1/` is the registry `docker.io`.
 */
export function podmanLogins(auths: unknown): PodmanCommand[] {
  if (auths === null || typeof auths !== 'object') return [];
  return Object.entries(auths as Record<string, { username?: unknown; password?: unknown }>).map(
    ([host, credential]) => ({
      args: [
        'login',
        '--username',
        String(credential?.username ?? ''),
        '--password-stdin',
        host === 'https://index.docker.io/v1/' ? 'docker.io' : host,
      ],
      env: {},
      stdin: String(credential?.password ?? ''),
    }),
  );
}

/** The project name podman compose runs the workload under, like the runtime's single pod. */
export const PODMAN_PROJECT = 'hpvs-emulator';

/**
 * The podman invocations that start a planned workload: `podman compose up` for a compose
 * folder (the merged environment feeds `${VAR}` interpolation), `podman kube play` per pod file.
 */
export function podmanCommands(
  plan: WorkloadPlan,
  environment: Record<string, string>,
): PodmanCommand[] {
  if (plan.kind === 'compose') {
    return [
      {
        args: [
          'compose',
          '--project-name',
          PODMAN_PROJECT,
          '--file',
          plan.files[0]!,
          'up',
          '--detach',
        ],
        env: environment,
      },
    ];
  }
  return plan.files.map((file) => ({ args: ['kube', 'play', '--replace', file], env: {} }));
}

/** Starts the workload with a local podman; says so plainly when podman is not installed. */
export function createPodmanRuntime(command = 'podman'): ContainerRuntime {
  return {
    name: 'podman',
    async run(input: ContainerRuntimeInput): Promise<ContainerRuntimeResult> {
      const plan = await startablePlan(input, { materialize: true });
      const version = await runProcess(command, ['--version'], {
        installHint: 'the podman runtime needs podman; install it or use --runtime plan',
      });
      if (version.status !== 0) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          `${command} --version failed: ${version.stderr.trim()}`,
        );
      }
      input.log(`using ${version.stdout.trim()}`);
      const steps = [
        ...podmanLogins(input.workload['auths']),
        ...podmanCommands(plan, input.environment),
      ];
      for (const step of steps) {
        input.log(`$ ${command} ${step.args.join(' ')}`);
        const result = await runProcess(command, step.args, {
          cwd: plan.dir,
          env: step.env,
          ...(step.stdin === undefined ? {} : { input: step.stdin }),
        });
        if (result.status !== 0) {
          throw new HpvsError(
            'RUNTIME_FAILED',
            `${command} ${stepName(step)} failed (exit ${result.status}): ${result.stderr.trim().split('\n').pop() ?? ''}`,
          );
        }
      }
      return containerResults(plan, 'started');
    },
  };
}

function stepName(step: PodmanCommand): string {
  if (step.args[0] === 'login') return `login ${step.args.at(-1)}`;
  return step.args[0] === 'compose' ? 'compose up' : 'kube play';
}
