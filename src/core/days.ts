/** Calendar arithmetic in whole days, as certificate validity and contract expiry use it. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A certificate the runtime relies on (the contract signing certificate, whose notAfter is the
 * contract's expiry, and the encryption certificate) gets a warning when it expires within
 * this many days, as the runtime warns (HPL12006E, HPL12011W).
 */
export const EXPIRY_WARNING_DAYS = 30;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Whole days from `from` to `to`, rounded down (negative once `to` has passed). */
export function wholeDaysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}
