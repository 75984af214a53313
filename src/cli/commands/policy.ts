import type { Command } from '@commander-js/extra-typings';
import { warn } from '../../node/console.js';
import { assertSingleStdin } from '../../node/read-input.js';
import { writeResult } from '../../node/write-output.js';
import { examples } from './help-examples.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Kata agent policies (Rego) for ccco pods.');
  policy
    .command('generate')
    .description(
      "Generate the Kata agent policy that admits exactly the pod's images with their commands (Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob; every document of the file), for the contract's confidential-containers.regoValidator.policy.",
    )
    .requiredOption('--pod <path>', 'the Kubernetes manifest, or - for stdin')
    .option(
      '--template <path>',
      "a Rego template (package agent_policy) whose marker line receives the rules; default: hpvs-ctl's, which refuses exec and policy changes",
    )
    .option(
      '--base64',
      'print the policy as one line of base64, the form regoValidator.policy takes',
    )
    .option('--out <path>', 'write the policy to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl policy generate --pod pod.yaml --out policy.rego',
        'hpvs-ctl policy generate --pod deployment.yaml --base64',
      ),
    )
    .action(async (options) => {
      assertSingleStdin({ '--pod': options.pod, '--template': options.template });
      const { generateAgentPolicy } = await import('../../app/generate-agent-policy.js');
      const generated = await generateAgentPolicy({
        podFile: options.pod,
        templateFile: options.template,
      });
      for (const message of generated.warnings) warn(message);
      const text =
        options.base64 === true
          ? `${Buffer.from(generated.policy, 'utf8').toString('base64')}\n`
          : generated.policy;
      await writeResult(options.out, text, {
        secret: false,
        from: [options.pod, options.template],
      });
    });
}
