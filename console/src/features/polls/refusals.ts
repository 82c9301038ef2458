/**
 * A poll refusal in the page's language: the API sends a stable `code` (src/app/polls/refusals.ts) and, for some,
 * `params`; this picks the feature's sentence `polls.refusal.<code>`. Anything else (a network failure, a refusal
 * the shared refusal text words already, a code this console does not know yet) keeps the error's own message, so
 * nothing is hidden.
 */
import { ApiError } from '../../api/http.ts';

type T = (key: string, params?: Record<string, unknown>) => string;
type Te = (key: string) => boolean;

export function pollRefusalText(e: unknown, t: T, te: Te): string {
  if (e instanceof ApiError && e.code && te(`polls.refusal.${e.code}`)) {
    const params = (e.body.params ?? {}) as Record<string, unknown>;
    const status = typeof params.status === 'string' && te(`queue.status.${params.status}`) ? t(`queue.status.${params.status}`) : params.status;
    return t(`polls.refusal.${e.code}`, { ...params, status });
  }
  return e instanceof Error ? e.message : String(e);
}
