import { sayWording, type InputPhraseId, type Wording } from '../wording.js';

/** One verdict of a verification, printed as `PASS|FAIL|SKIP <id>: <detail>`. */
export interface VerificationCheck {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  /** In the core's concepts; `wording` holds it with its input phrases when it names an input. */
  detail: string;
  wording?: Wording;
}

/** A check's `detail`, with its `wording` when it names an input. */
export function checkDetail(wording: Wording): Pick<VerificationCheck, 'detail' | 'wording'> {
  const detail = sayWording(wording);
  return wording.some((part) => typeof part !== 'string') ? { detail, wording } : { detail };
}

/** A check (or a verdict quoting one) as a front end reports it: its detail in the given terms. */
export function sayCheckDetail<Check extends { detail: string; wording?: Wording }>(
  check: Check,
  phrases: Readonly<Record<InputPhraseId, string>>,
): Check {
  if (check.wording === undefined) return check;
  const { wording, ...rest } = check;
  return { ...rest, detail: sayWording(wording, phrases) } as Check;
}

/** The worst of several statuses: any fail fails, else any skip skips. */
export function combineStatus(
  statuses: readonly VerificationCheck['status'][],
): VerificationCheck['status'] {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('skip')) return 'skip';
  return 'pass';
}
