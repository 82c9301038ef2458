/**
 * Which expiry notice a certificate is due today: "has expired", once. The month-before notice is the reminder kind
 * `certificateExpiring` (src/app/reminders/factReminders.ts), which keeps quiet hours, mute, the daily cap and a
 * region's settings; sending it here as well told every holder twice. The `expiringSoon` mark stays readable on old
 * certificates and is never set any more.
 *
 * Decisions where the domain is silent:
 *  - Revoked certificates get neither (revocation was told when it happened and is final).
 *  - A suspended certificate still expires, so its holder is told.
 *  - A certificate that expired more than EXPIRY_NOTICE_DAYS ago when first seen (issued before these notices
 *    existed, or the sweep was off) is not told any more: the news is stale. It is marked done all the same.
 *  - A certificate already expired when first seen gets only the "has expired" notice.
 */
import { splitYmd } from '../dates/parseDate.ts';
import type { Certificate } from './types.ts';

export const EXPIRY_NOTICE_DAYS = 30;

export type ExpiryNotice = 'expired';

export type ExpiryNoticeDue = { notice: ExpiryNotice; stale: boolean } | null;

/** `date` ('YYYY-MM-DD') plus `days`. */
export function addDays(date: string, days: number): string {
  const ymd = splitYmd(date);
  if (!ymd) throw new RangeError(`date must be a real date written YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return new Date(Date.UTC(ymd.year, ymd.month - 1, ymd.day + days)).toISOString().slice(0, 10);
}

/** The notice due for `cert` on `today` (China date), if any, given the notices it already had. */
export function expiryNoticeDue(cert: Certificate, today: string): ExpiryNoticeDue {
  if (cert.status === 'revoked') return null;
  const sent = cert.notices ?? {};
  if (today > cert.validUntil) {
    if (sent.expired) return null;
    return { notice: 'expired', stale: addDays(cert.validUntil, EXPIRY_NOTICE_DAYS) < today };
  }
  return null;
}
