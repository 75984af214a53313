import { EXPIRY_WARNING_DAYS, wholeDaysBetween } from '../days.js';

export type CertificateStatus = 'valid' | 'expired' | 'not-yet-valid';

export interface StatusAt {
  status: CertificateStatus;
  /** Whole days until notAfter, rounded down; negative once expired. */
  daysLeft: number;
}

/** Where `now` falls in a validity window. */
export function statusAt(window: { notBefore: Date; notAfter: Date }, now: Date): StatusAt {
  const status: CertificateStatus =
    now < window.notBefore ? 'not-yet-valid' : now > window.notAfter ? 'expired' : 'valid';
  return { status, daysLeft: wholeDaysBetween(now, window.notAfter) };
}

/** The warning for a current certificate close to its end, or undefined. */
export function expiryWarning(
  what: string,
  window: { notAfter: Date },
  at: StatusAt,
): string | undefined {
  if (at.status !== 'valid' || at.daysLeft >= EXPIRY_WARNING_DAYS) return undefined;
  return `${what} expires in ${at.daysLeft} day${at.daysLeft === 1 ? '' : 's'}, on ${window.notAfter.toISOString()}: get the runtime's next certificate before encrypting more contracts`;
}
