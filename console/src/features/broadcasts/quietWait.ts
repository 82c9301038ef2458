/**
 * Whether a broadcast's sends are held by quiet hours, from its pending recipients: how many of those read wait for
 * the quiet hours to end, and from when they go out (the earliest planned time; each recipient is spread a few
 * minutes after the end so that they do not all go in one second).
 */
import type { Recipient } from './types.ts';

export interface QuietWait {
  waiting: number;
  /** The earliest planned sending time among them (an ISO instant). */
  from: string;
}

export function quietWait(pending: readonly Recipient[]): QuietWait | null {
  const held = pending.filter((r) => r.status === 'pending' && r.reason === 'quietHours' && r.nextAt && !Number.isNaN(Date.parse(r.nextAt)));
  if (held.length === 0) return null;
  const from = held.map((r) => r.nextAt!).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  return { waiting: held.length, from };
}
