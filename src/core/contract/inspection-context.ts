import type { Finding, InspectionRule } from './inspection.js';
import type { ContractSection, YamlPath } from './user-data.js';

/** What one inspection collects as it goes, shared by the parts of `inspectUserData`. */
export interface Context {
  source: string;
  now: Date;
  findings: Finding[];
}

export function at(section: ContractSection, path: YamlPath): string {
  const { line, col } = section.positionOf(path);
  const dotted = [section.key, ...path].join('.');
  return `${section.source}:${line}:${col} ${dotted}:`;
}

export function report(
  context: Context,
  severity: Finding['severity'],
  rule: InspectionRule,
  message: string,
): void {
  context.findings.push({ severity, rule, message });
}
