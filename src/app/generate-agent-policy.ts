import { DEFAULT_AGENT_POLICY_TEMPLATE } from '../core/ccco/agent-policy-template.js';
import { planContainers } from '../core/ccco/pod-plan.js';
import { generatePolicy } from '../core/ccco/rego-policy.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readTextInput } from '../node/read-input.js';

export interface AgentPolicyRequest {
  /** The Kubernetes manifest whose pods the policy admits (`-` for stdin). */
  podFile: string;
  /** A Rego template with the marker line; hpvs-ctl's own (no exec, no policy changes) if not given. */
  templateFile?: string | undefined;
}

/** The Kata agent policy (Rego) admitting exactly the manifest's images with their commands. */
export async function generateAgentPolicy(
  request: AgentPolicyRequest,
): Promise<{ policy: string; warnings: string[] }> {
  const containers = planContainers(
    await readTextInput(request.podFile, 'manifest', INPUT_LIMITS.manifest),
    request.podFile,
  );
  const template =
    request.templateFile === undefined
      ? DEFAULT_AGENT_POLICY_TEMPLATE
      : await readTextInput(request.templateFile, 'policy template', INPUT_LIMITS.policyTemplate);
  const generated = generatePolicy(containers, template, request.templateFile ?? 'template');
  return { policy: generated.policy, warnings: [...generated.warnings] };
}
