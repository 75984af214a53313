import { DAY_MS } from '../days.js';

/**
 * IBM's expiry messages for an encryption certificate (`validate-encryption-certificate`,
 * SPEC-IBM A4.4): `days` is the real number of days left, shown rounded; a warning under 180
 * days. Dates are UTC `DD-MM-YYYY HH:MM:SS`: IBM's layout, with the four-digit year IBM lacks.
 */

export const IBM_CHECK_WARNING_DAYS = 180;

export interface ExpiryNotice {
  status: 'expired' | 'expiring' | 'valid';
  /** Days left (negative once expired), as a real number. */
  days: number;
  message: string;
}

export function formatIbmDate(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getUTCDate())}-${two(date.getUTCMonth() + 1)}-${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

export function encryptionCertificateExpiry(notAfter: Date, now: Date): ExpiryNotice {
  const days = (notAfter.getTime() - now.getTime()) / DAY_MS;
  const when = formatIbmDate(notAfter);
  if (days < 0) {
    return {
      status: 'expired',
      days,
      message: `Encryption certificate has already expired on ${when}`,
    };
  }
  if (days < IBM_CHECK_WARNING_DAYS) {
    return {
      status: 'expiring',
      days,
      message: `Warning: Encryption certificate will expire in ${Math.round(days)} days (on ${when})`,
    };
  }
  return {
    status: 'valid',
    days,
    message: `Encryption certificate is valid for another ${Math.round(days)} days (until ${when})`,
  };
}
