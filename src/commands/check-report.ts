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
