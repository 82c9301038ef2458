/**
 * One recipient of a broadcast. pending → sending (marked just before the platform call) → sent, failed or
 * skipped (with the reason); a transient failure goes back to pending with a later `nextAt`. A delivery found in
 * `sending` by a run that did not mark it was in flight when its process died: it becomes unknown, and is then
 * resent (back to pending) or held for the admin, by the broadcast's `inFlight` setting.
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'skipped', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery's id: one per broadcast and worker, so a resumed fan-out or a second look never makes two. */
export const deliveryIdOf = (broadcastId: string, workerId: string): string => `${broadcastId}:${workerId}`;

export const SKIP_REASONS = ['muted', 'unreachable', 'blocked', 'unsubscribed', 'expired', 'cancelled', 'dropped'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type DeliveryEvent =
  | { type: 'start' }
  | { type: 'delivered' }
  | { type: 'skip'; reason: SkipReason }
  | { type: 'fail'; reason: string; permanent: boolean }
  | { type: 'orphaned' }
  | { type: 'resend' }
  | { type: 'drop' };

export type Transition = { ok: true; to: DeliveryStatus; reason: string | null } | { ok: false };

const FINAL: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'skipped']);
export const isFinal = (s: DeliveryStatus): boolean => FINAL.has(s);

/**
 * The allowed moves. A transient failure under `maxAttempts` goes back to pending (retried later); at the
 * last attempt it is recorded as failed with its reason.
 */
export function transition(from: DeliveryStatus, event: DeliveryEvent, attempts = 0, maxAttempts = 5): Transition {
  switch (event.type) {
    case 'start':
      return from === 'pending' ? { ok: true, to: 'sending', reason: null } : { ok: false };
    case 'delivered':
      return from === 'sending' ? { ok: true, to: 'sent', reason: null } : { ok: false };
    case 'fail':
      if (from !== 'sending') return { ok: false };
      if (!event.permanent && attempts + 1 < maxAttempts) return { ok: true, to: 'pending', reason: event.reason };
      return { ok: true, to: 'failed', reason: event.reason };
    case 'skip':
      return from === 'pending' || from === 'sending' ? { ok: true, to: 'skipped', reason: event.reason } : { ok: false };
    case 'orphaned':
      return from === 'sending' ? { ok: true, to: 'unknown', reason: 'inFlightAtCrash' } : { ok: false };
    case 'resend':
      return from === 'unknown' ? { ok: true, to: 'pending', reason: 'resentAfterCrash' } : { ok: false };
    case 'drop':
      return from === 'unknown' ? { ok: true, to: 'skipped', reason: 'dropped' } : { ok: false };
  }
}

/** Seconds before the next try after `attempts` transient failures: 2, 4, 8, … capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 2_000 * 2 ** Math.max(0, attempts));
}

/** A platform's refusal as the skip reason it means, when it means one (a blocked bot, an unfollowed account). */
export function skipReasonOfFailure(reason: string): SkipReason | null {
  if (/blocked|403|forbidden/i.test(reason)) return 'blocked';
  if (/unsubscribed|unfollow/i.test(reason)) return 'unsubscribed';
  return null;
}
