import { HpvsError } from '../errors.js';
import { POLICY_MARKER } from './agent-policy-template.js';
import type { PlannedContainer } from './pod-plan.js';
import { parseRego, RegoSyntaxError } from './rego-syntax.js';

/**
 * Kata agent policy rules for a pod plan (SPEC-IBM A7.5), written so that they are always
 * valid Rego and mean what they say: every string is a JSON-escaped Rego string (no raw
 * strings, so backticks and control characters cannot break out), images are matched by an
 * anchored regular expression with every metacharacter escaped, and the OCP baseline that
 * admits the pause/infra containers no longer admits any command for an image this pod lists
 * (IBM's baseline hole, A7.7): such an image gets only its own strict rule.
 */

export const IMAGE_ANNOTATION = 'io.kubernetes.cri-o.ImageName';
export const OCP_BASELINE_IMAGE_REGEX =
  '^quay\\.io/openshift-release-dev/ocp-v4\\.0-art-dev@sha256:[a-f0-9]{64}$';
const APPENDED_HEADING = '\n\n# Auto-generated rules from pod specification\n';

export interface GeneratedPolicy {
  policy: string;
  /** Short image names CRI-O will report in full, so their rules never match. */
  warnings: string[];
}

/** A Rego string literal: JSON escaping is Rego's own string syntax. */
export function regoString(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** An anchored regular expression matching exactly `text` (RE2 syntax, as OPA's regex.match). */
export function exactRegex(text: string): string {
  return `^${text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
}

export function generatePolicy(
  containers: readonly PlannedContainer[],
  template: string,
  templateSource = 'template',
): GeneratedPolicy {
  checkTemplate(template, templateSource);
  const images = [...new Set(containers.map((entry) => entry.image))];
  const warnings = images
    .filter((image) => !isFullyQualified(image))
    .map(
      (image) =>
        `image ${regoString(image)} has no registry; CRI-O reports images in full (e.g. docker.io/library/busybox:latest), so write the full reference or its rules will not match`,
    );
  const imageMatch = (image: string): string =>
    `    regex.match(${regoString(exactRegex(image))}, image_name)`;
  const rules: string[] = [
    [
      'CreateContainerRequest if {',
      `    allow_image(input.OCI.Annotations[${regoString(IMAGE_ANNOTATION)}])`,
      `    allow_command(input.OCI.Annotations[${regoString(IMAGE_ANNOTATION)}], input.OCI.Process.Args)`,
      '}',
    ].join('\n'),
    [
      '# Image allowlist',
      '# OCP baseline: allows the Kata pause/infra container and OCP system containers.',
      'allow_image(image_name) if {',
      `    regex.match(${regoString(OCP_BASELINE_IMAGE_REGEX)}, image_name)`,
      '}',
    ].join('\n'),
    ...images.map((image) => ['allow_image(image_name) if {', imageMatch(image), '}'].join('\n')),
    [
      '# Command allowlist',
      '# OCP baseline: pause/infra and system containers, any args, except images this pod lists: only their own rules below apply.',
      'allow_command(image_name, args) if {',
      `    regex.match(${regoString(OCP_BASELINE_IMAGE_REGEX)}, image_name)`,
      '    not pod_images[image_name]',
      '}',
    ].join('\n'),
    ...commandRules(containers, imageMatch),
    ['# The images this pod lists', `pod_images := {${images.map(regoString).join(', ')}}`].join(
      '\n',
    ),
  ];
  const block = `${rules.join('\n\n')}\n\n`;
  const markerLine = `${POLICY_MARKER}\n`;
  const policy = template.includes(markerLine)
    ? template.replace(markerLine, () => block)
    : `${template}${APPENDED_HEADING}${block}`;
  try {
    parseRego(policy);
  } catch (error) {
    // The template parsed on its own and the rules are built from escaped strings only.
    throw new Error(`generated policy does not parse: ${(error as Error).message}`);
  }
  return { policy, warnings };
}

function commandRules(
  containers: readonly PlannedContainer[],
  imageMatch: (image: string) => string,
): string[] {
  const seen = new Set<string>();
  const rules: string[] = [];
  for (const entry of containers) {
    const key = JSON.stringify([entry.image, entry.args ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    const comment = `# ${entry.owner} ${entry.init ? 'init container' : 'container'} ${entry.name}`;
    const lines = [
      comment.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' '),
      'allow_command(image_name, args) if {',
      imageMatch(entry.image),
    ];
    if (entry.args === undefined) {
      lines[0] += ' (no command or args: the image default runs)';
    } else {
      lines.push(`    count(args) == ${entry.args.length}`);
      entry.args.forEach((arg, index) => lines.push(`    args[${index}] == ${regoString(arg)}`));
    }
    lines.push('}');
    rules.push(lines.join('\n'));
  }
  return rules;
}

function checkTemplate(template: string, source: string): void {
  try {
    parseRego(template);
  } catch (error) {
    if (error instanceof RegoSyntaxError) {
      throw new HpvsError('POLICY_INVALID', `${source}:${error.message}`);
    }
    throw error;
  }
  if (!/^package\s+agent_policy\s*$/m.test(template)) {
    throw new HpvsError(
      'POLICY_INVALID',
      `${source}: the template must be package agent_policy, the package the Kata agent queries`,
    );
  }
}

/** `quay.io/x/y:1`, `localhost:5000/x`: the first path part names a registry. */
function isFullyQualified(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}
