import { HpvsError } from '../errors.js';
import { IMAGE_ANNOTATION } from './rego-policy.js';
import { parseRego, RegoSyntaxError } from './rego-syntax.js';

/**
 * Reads back the container rules of a policy written by `policy generate` and decides
 * CreateContainerRequest for a container, the way the Kata agent would with that policy. It is
 * not a Rego evaluator: a policy whose allow_image / allow_command rules have any other shape
 * is refused as not evaluable, never guessed at.
 */

export interface ImageRule {
  regex: string;
}

export interface CommandRule {
  regex: string;
  /** Exact arguments, or undefined for any arguments. */
  args?: string[];
  /** The OCP baseline: does not apply to the images the pod lists. */
  exceptPodImages: boolean;
}

export interface PolicyRules {
  images: ImageRule[];
  commands: CommandRule[];
  podImages: Set<string>;
}

const STRING = '("(?:[^"\\\\]|\\\\.)*")';
const IMAGE_HEAD = 'allow_image(image_name) if {';
const COMMAND_HEAD = 'allow_command(image_name, args) if {';
const MATCH_LINE = new RegExp(`^regex\\.match\\(${STRING}, image_name\\)$`);
const COUNT_LINE = /^count\(args\) == ([0-9]+)$/;
const ARG_LINE = new RegExp(`^args\\[([0-9]+)\\] == ${STRING}$`);
const POD_IMAGES_LINE = /^pod_images := \{(.*)\}$/;
const WIRING = [
  'CreateContainerRequest if {',
  `    allow_image(input.OCI.Annotations["${IMAGE_ANNOTATION}"])`,
  `    allow_command(input.OCI.Annotations["${IMAGE_ANNOTATION}"], input.OCI.Process.Args)`,
  '}',
].join('\n');

export function readPolicyRules(policy: string, source: string): PolicyRules {
  try {
    parseRego(policy);
  } catch (error) {
    if (error instanceof RegoSyntaxError) {
      throw new HpvsError('POLICY_INVALID', `${source}:${error.message}`);
    }
    throw error;
  }
  const notEvaluable = (detail: string): never => {
    throw new HpvsError(
      'POLICY_INVALID',
      `${source}: ${detail}; the emulator evaluates policies written by hpvs-ctl policy generate`,
    );
  };
  if (!/^default CreateContainerRequest :?= false$/m.test(policy)) {
    notEvaluable('no "default CreateContainerRequest := false"');
  }
  if (policy.split(WIRING).length !== 2)
    notEvaluable('the CreateContainerRequest rule is not the generated one');
  if (/^CreateContainerRequest\b/m.test(policy.replace(WIRING, ''))) {
    notEvaluable('more than one CreateContainerRequest rule');
  }
  const lines = policy.split('\n');
  const rules: PolicyRules = { images: [], commands: [], podImages: new Set() };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const podImages = POD_IMAGES_LINE.exec(line);
    if (podImages) {
      const list = JSON.parse(`[${podImages[1]}]`) as unknown[];
      for (const image of list) rules.podImages.add(String(image));
      continue;
    }
    const isImage = line === IMAGE_HEAD;
    const isCommand = line === COMMAND_HEAD;
    if (!isImage && !isCommand) {
      if (/^(allow_image|allow_command)\b/.test(line))
        notEvaluable(`line ${i + 1} is not a generated rule head`);
      continue;
    }
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '}'; i++) body.push(lines[i]!.trim());
    const match = MATCH_LINE.exec(body[0] ?? '');
    if (!match) notEvaluable(`the rule before line ${i + 1} does not start with regex.match`);
    const regex = JSON.parse(match![1]!) as string;
    if (isImage) {
      if (body.length !== 1)
        notEvaluable(`the image rule before line ${i + 1} has extra conditions`);
      rules.images.push({ regex });
      continue;
    }
    const rest = body.slice(1);
    if (rest.length === 1 && rest[0] === 'not pod_images[image_name]') {
      rules.commands.push({ regex, exceptPodImages: true });
      continue;
    }
    if (rest.length === 0) {
      rules.commands.push({ regex, exceptPodImages: false });
      continue;
    }
    const count = COUNT_LINE.exec(rest[0]!);
    if (!count || rest.length !== Number(count[1]) + 1) {
      notEvaluable(
        `the command rule before line ${i + 1} is not count(args) and one line per argument`,
      );
    }
    const args = rest.slice(1).map((text, index) => {
      const arg = ARG_LINE.exec(text);
      if (!arg || Number(arg[1]) !== index)
        notEvaluable(`argument ${index} of the rule before line ${i + 1}`);
      return JSON.parse(arg![2]!) as string;
    });
    rules.commands.push({ regex, args, exceptPodImages: false });
  }
  return rules;
}

export type ContainerDecision = { allowed: true } | { allowed: false; reason: 'image' | 'command' };

/** CreateContainerRequest for one container: its image must be admitted, then its command. */
export function decideContainer(
  rules: PolicyRules,
  image: string,
  args: readonly string[],
): ContainerDecision {
  const matches = (regex: string): boolean => new RegExp(regex, 'u').test(image);
  if (!rules.images.some((rule) => matches(rule.regex))) return { allowed: false, reason: 'image' };
  const commandAllowed = rules.commands.some(
    (rule) =>
      matches(rule.regex) &&
      !(rule.exceptPodImages && rules.podImages.has(image)) &&
      (rule.args === undefined ||
        (rule.args.length === args.length && rule.args.every((arg, index) => arg === args[index]))),
  );
  return commandAllowed ? { allowed: true } : { allowed: false, reason: 'command' };
}
