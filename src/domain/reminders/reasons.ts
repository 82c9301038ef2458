import type { SkipReason } from './reminder.ts';

/**
 * Why a reminder was not sent on its own, by the id the summaries count: the skip reasons (`unreachable:<why>`
 * counted as `unreachable`) and `dailyCap` (folded into the day's digest). The console names each one.
 */
export const REMINDER_REASONS = ['muted', 'factsChanged', 'disabled', 'noWorker', 'sendFailed', 'unreachable', 'dailyCap'] as const;

// A new SkipReason that is missing above fails the type check here.
type Listed = (typeof REMINDER_REASONS)[number] | `unreachable:${string}`;
const everySkipReasonListed: Exclude<SkipReason, Listed> extends never ? true : false = true;
void everySkipReasonListed;
