import type { Audit } from '../../app/attestation/audit.js';
import type { BundleResult } from '../../app/attestation/verify-batch.js';
import { writeStdout } from '../../node/write-output.js';
import type { VerificationCheck } from '../../core/pki/verification-check.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';
import { cliCheck } from './input-phrases.js';
import { formatCheck } from './check-report.js';

/**
 * `attestation verify --batch DIR`: verifies the bundle folder (auditBundleFolder) and prints a
 * table (or JSON). Returns the exit status.
 */
export async function runBatch(audit: Audit, dir: string, json: boolean): Promise<number> {
  const { auditBundleFolder } = await import('../../app/attestation/audit.js');
  const { results, chainChecks } = await auditBundleFolder(audit, dir);
  const ok = results.every((result) => result.ok);
  if (json) {
    const out = results.map((result) => ({
      bundle: result.name,
      ok: result.ok,
      version: result.version ?? null,
      machine: result.summary?.machine ?? null,
      imageAge: result.summary?.imageAge ?? null,
      checksums: result.summary?.checksums ?? null,
      checks: result.checks.map(cliCheck),
      ...(result.error ? { error: result.error } : {}),
    }));
    await writeStdout(`${jsonForTerminal({ ok, bundles: out })}\n`);
  } else {
    await writeStdout(formatTable(results, audit.certificate.source, chainChecks));
  }
  return ok ? 0 : 1;
}

function formatTable(
  results: readonly BundleResult[],
  certificateSource: string,
  chainChecks: readonly VerificationCheck[],
): string {
  // bundle names are folder names and versions come from records: both are inputs
  const rows = results.map((result) => [
    terminalSafe(result.name),
    terminalSafe(result.version ?? '-'),
    result.ok ? 'PASS' : 'FAIL',
    terminalSafe(
      result.error
        ? `error: ${result.error.message}`
        : result.checks
            .filter((check) => check.status !== 'pass')
            .map((check) => `${check.status === 'fail' ? 'FAIL' : 'skip'} ${check.id}`)
            .join(', '),
    ),
  ]);
  const header = ['bundle', 'version', 'result', 'failed or skipped checks'];
  const widths = header
    .slice(0, 3)
    .map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd();
  const failed = results.filter((result) => !result.ok);
  const certificateLines = chainChecks.map(formatCheck);
  const firstFailure = failed
    .filter((result) => result.error === undefined)
    .flatMap((result) =>
      result.checks
        .filter(
          (check) => check.status === 'fail' && !['chain', 'validity', 'crl'].includes(check.id),
        )
        .map((check) =>
          terminalSafe(`  ${result.name}: FAIL ${check.id}: ${cliCheck(check).detail}`),
        ),
    );
  return [
    `attestation certificate ${terminalSafe(certificateSource)} (checked once for all bundles):`,
    ...certificateLines.map((text) => `  ${text}`),
    '',
    line(header),
    ...rows.map(line),
    '',
    ...(firstFailure.length > 0 ? ['failures:', ...firstFailure, ''] : []),
    `${results.length} bundles: ${results.length - failed.length} passed, ${failed.length} failed`,
    '',
  ].join('\n');
}
