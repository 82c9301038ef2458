/**
 * What the recipients table says about a recipient that was not sent to: the reason, and below it what lies
 * behind it. The server keeps a detail for some reasons (which mute, the channel's refusal, the platform's own
 * words); the others are explained by the reason alone.
 */
import type { Recipient } from './types.ts';

/** Details the server writes as keys: a mute's kind and a channel's reach refusal. Anything else is the platform's words. */
export const DETAIL_KEYS = ['all', 'broadcast', 'windowClosed', 'quotaExhausted', 'blocked', 'unsubscribed', 'unknownUser', 'notConnected', 'noChannel'] as const;
/** Reasons whose explanation needs no detail. */
export const EXPLAINED_REASONS = ['muted', 'unreachable', 'blocked', 'unsubscribed', 'expired', 'cancelled', 'dropped', 'transient', 'dailyCap', 'quietHours'] as const;

export type ReasonLine = { key: string } | { raw: string };

/** The line under the reason: a translation key, or the platform's words as they came; null when there is nothing to add. */
export function reasonDetail(row: Pick<Recipient, 'reason' | 'detail'>): ReasonLine | null {
  if (row.detail && (DETAIL_KEYS as readonly string[]).includes(row.detail)) return { key: `broadcasts.reasonDetail.${row.detail}` };
  if (row.detail) return { raw: row.detail };
  if (row.reason && (EXPLAINED_REASONS as readonly string[]).includes(row.reason)) return { key: `broadcasts.reasonWhy.${row.reason}` };
  return null;
}

/**
 * A test send that did not go: the API says `unreachable:<refusal>` (the channel's reach refusal, e.g.
 * `unreachable:noChannel`) or gives the platform's own words. As a reason and detail the recipients table words.
 */
export function testSendReason(reason: string | undefined): Pick<Recipient, 'reason' | 'detail'> {
  if (!reason) return {};
  const reach = /^unreachable:(\w+)$/.exec(reason);
  if (reach) return { reason: 'unreachable', detail: reach[1]! };
  return { detail: reason };
}
