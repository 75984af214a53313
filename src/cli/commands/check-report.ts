import { cliCheck } from './input-phrases.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import { terminalSafe } from '../../core/text/terminal-safe-text.js';

/**
 * `PASS|FAIL|SKIP <id>: <detail>`, one line per check. A detail can quote an input (a record
 * line, a certificate name), so it is escaped and cannot forge the lines around it.
 */
export function formatChecks(checks: readonly VerificationCheck[]): string {
  return checks.map((check) => `${formatCheck(check)}\n`).join('');
}

export function formatCheck(check: VerificationCheck): string {
  return terminalSafe(`${check.status.toUpperCase()} ${check.id}: ${cliCheck(check).detail}`);
}

export function verdictLine(checks: readonly VerificationCheck[]): string {
  const failed = checks.filter((check) => check.status === 'fail').length;
  const skipped = checks.filter((check) => check.status === 'skip').length;
  const skips = skipped > 0 ? `, ${skipped} skipped` : '';
  return failed === 0
    ? `verdict: OK (${checks.length - skipped} checks passed${skips})\n`
    : `verdict: FAILED (${failed} of ${checks.length} checks failed${skips})\n`;
}
