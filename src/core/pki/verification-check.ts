/** One verdict of a verification, printed as `PASS|FAIL|SKIP <id>: <detail>`. */
export interface VerificationCheck {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

/** The worst of several statuses: any fail fails, else any skip skips. */
export function combineStatus(
  statuses: readonly VerificationCheck['status'][],
): VerificationCheck['status'] {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('skip')) return 'skip';
  return 'pass';
}
