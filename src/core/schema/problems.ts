import {
  sayWording,
  worded,
  type InputPhraseId,
  type Wording,
  type WordedText,
} from '../wording.js';
import type { Position, SectionForm, YamlPath } from '../contract/user-data.js';

export type Severity = 'error' | 'warning' | 'note';

/** One finding of the validator, located in the user's YAML. */
export interface ContractProblem {
  severity: Severity;
  source: string;
  line: number;
  col: number;
  /** Dotted path in the contract: `env.volumes.data.seed`. */
  path: string;
  /** In the core's concepts; `wording` holds it with its input phrases when it names an input. */
  message: string;
  /** Set when the finding comes from a rule stricter than the runtime's published schema. */
  rule?: string;
  wording?: Wording;
}

export interface ValidationReport {
  problems: ContractProblem[];
  /** True when no problem is an error (warnings and notes do not make a contract invalid). */
  valid: boolean;
  /** Top-level sections that are encrypted and so were only checked for structure. */
  encrypted: string[];
  /** How each top-level section is written: `string` (a | block), `mapping`, `token`, `other`. */
  forms: Record<string, SectionForm>;
}

/** `user-data.yaml:12:9 env.volumes.data.seed: must be at least 15 characters`. */
export function formatProblem(problem: ContractProblem): string {
  return sayWording(problemWording(problem));
}

/** The formatted problem with its input phrases, for an error or a notice that quotes it. */
export function problemWording(problem: ContractProblem): Wording {
  const label = problem.severity === 'error' ? '' : `${problem.severity}: `;
  return worded`${problem.source}:${problem.line}:${problem.col} ${problem.path}: ${label}${problem}`;
}

/** The formatted problem as worded text, for a message that quotes it. */
export function problemText(problem: ContractProblem): WordedText {
  return { message: formatProblem(problem), wording: problemWording(problem) };
}

/** The problem as a front end reports it: its message in the given terms, no wording. */
export function sayProblem(
  problem: ContractProblem,
  phrases: Readonly<Record<InputPhraseId, string>>,
): ContractProblem {
  if (problem.wording === undefined) return problem;
  const { wording, ...rest } = problem;
  return { ...rest, message: sayWording(wording, phrases) };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `env.volumes.data.seed`, `workload.play.resources[0]`, `workload.auths["my.registry"]`. */
export function formatPath(path: YamlPath): string {
  let text = '';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (IDENTIFIER.test(step)) text += text === '' ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text === '' ? '(top level)' : text;
}

/** Collects problems for one source and path prefix. */
export class ProblemList {
  readonly problems: ContractProblem[] = [];
  private readonly seen = new Set<string>();

  add(
    severity: Severity,
    source: string,
    position: Position,
    path: YamlPath,
    message: string | Wording,
    rule?: string,
  ): void {
    const problem: ContractProblem = {
      severity,
      source,
      line: position.line,
      col: position.col,
      path: formatPath(path),
      message: typeof message === 'string' ? message : sayWording(message),
      ...(rule ? { rule } : {}),
      ...(typeof message === 'string' ? {} : { wording: message }),
    };
    const key = formatProblem(problem);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(problem);
  }
}
