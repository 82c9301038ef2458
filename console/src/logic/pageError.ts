import { ApiError } from '../api/http.ts';

type T = (key: string, values?: Record<string, string>) => string;

/** Refusals the page's own sentence already says in full: adding the reason would say it twice. */
const SAID_BY_PAGE: Record<number, string[]> = { 403: ['outOfScope', 'forbidden'], 404: ['notFound'] };

/**
 * What a page says when it cannot load: a refusal or a missing record gets a sentence in the admin's language first,
 * with the reason after it (already in the admin's words: session.ts explains every refusal by its code).
 */
export function pageError(e: unknown, t: T): string {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 404)) return message;
  const sentence = t(e.status === 403 ? 'errors.forbidden' : 'errors.missing');
  return e.code && SAID_BY_PAGE[e.status]!.includes(e.code) ? sentence : t('common.aside', { text: sentence, aside: message });
}
