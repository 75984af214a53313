import { worded } from '../core/wording.js';
import { parseSectionText } from '../core/contract/user-data.js';
import { HpvsError } from '../core/errors.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import { validateSection } from '../core/schema/validate-contract.js';

export interface CheckBuiltSectionOptions {
  /** The runtime whose schema applies (hpvs's when not given). */
  platform?: PlatformName | undefined;
  now: Date;
  /** Paths whose validator warnings the builder already reported in its own words. */
  coveredPaths?: readonly string[] | undefined;
}

/**
 * Checks a section a builder wrote with the contract validator: the first error (and how many
 * more) fails it in one line; otherwise its warnings are returned, `path: message`.
 */
export async function checkBuiltSection(
  kind: 'workload' | 'env',
  text: string,
  options: CheckBuiltSectionOptions,
): Promise<string[]> {
  const report = await validateSection(parseSectionText(kind, text, kind), {
    now: options.now,
    ...(options.platform ? { platform: options.platform } : {}),
  });
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      worded`${errors[0]!.path}: ${errors[0]!}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    );
  }
  const covered = options.coveredPaths ?? [];
  return report.problems
    .filter((problem) => problem.severity === 'warning' && !covered.includes(problem.path))
    .map((problem) => `${problem.path}: ${problem.message}`);
}
