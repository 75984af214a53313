import { HpvsError } from '../errors.js';
import type { VerificationCheck } from '../pki/verification-check.js';

/** `PASS|FAIL|SKIP <id>: <detail>`, one line per check. */
export function formatChecks(checks: readonly VerificationCheck[]): string {
  return checks
    .map((check) => `${check.status.toUpperCase()} ${check.id}: ${check.detail}\n`)
    .join('');
}

export function verdictLine(checks: readonly VerificationCheck[]): string {
  const failed = checks.filter((check) => check.status === 'fail').length;
  const skipped = checks.filter((check) => check.status === 'skip').length;
  const skips = skipped > 0 ? `, ${skipped} skipped` : '';
  return failed === 0
    ? `verdict: OK (${checks.length - skipped} checks passed${skips})\n`
    : `verdict: FAILED (${failed} of ${checks.length} checks failed${skips})\n`;
}

/** Parses `--at`; the default is the current time. */
export function parseAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const date = /^\d{4}-\d{2}-\d{2}($|T)/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new HpvsError(
      'USAGE',
      `--at "${value}": expected an ISO 8601 date or time, like 2026-11-01 or 2026-11-01T12:00:00Z`,
    );
  }
  return date;
}
