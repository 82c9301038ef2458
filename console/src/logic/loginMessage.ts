/** What the login page says for a refused login: the API's reason, in the admin's language. */
import { ApiError } from '../api/http.ts';
import { dateTime } from './format.ts';

type T = (key: string, values?: Record<string, unknown>) => string;

export function loginFailureMessage(error: unknown, t: T): string {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 0) return t('errors.network');
  if (error.status === 401) return t('login.wrong');
  if (error.status === 429) return t('login.throttled', { s: error.retryAfterSeconds ?? 60 });
  if (error.status === 423) return t('login.locked', { until: error.lockedUntil ? dateTime(error.lockedUntil) : '—' });
  if (error.status === 400) return t('login.required');
  return error.message;
}

/** Checks the password rules of the API before sending, so the admin learns them without a round trip. */
export function passwordProblem(input: { username: string; current: string; next: string; repeat: string }): string | null {
  if (input.next.length < 10) return 'password.tooShort';
  if (input.next === input.username) return 'password.sameAsUser';
  if (input.next === input.current) return 'password.sameAsCurrent';
  if (input.next !== input.repeat) return 'password.mismatch';
  return null;
}
