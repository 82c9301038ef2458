import { ApiError } from '../api/http.ts';

type T = (key: string, values?: Record<string, string>) => string;

/**
 * What a page says when it cannot load: the API's messages are English (scripts read them too), so a refusal or
 * a missing record gets a sentence in the admin's language first, with the API's own reason after it.
 */
export function pageError(e: unknown, t: T): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ApiError && e.status === 403) return t('common.aside', { text: t('errors.forbidden'), aside: message });
  if (e instanceof ApiError && e.status === 404) return t('common.aside', { text: t('errors.missing'), aside: message });
  return message;
}
