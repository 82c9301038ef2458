import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../../console/src/api/http.ts';
import { loginFailureMessage, passwordProblem } from '../../console/src/logic/loginMessage.ts';

// Stands in for vue-i18n's t: the key and its values, so the test sees which message and with what.
const t = (key: string, values?: Record<string, unknown>) => (values ? `${key} ${JSON.stringify(values)}` : key);

describe('login messages', () => {
  it('tells wrong password, throttling (with the wait) and lockout (with the time, China time) apart', () => {
    expect(loginFailureMessage(new ApiError(401, 'wrong username or password', undefined, {}), t)).toBe('login.wrong');
    expect(loginFailureMessage(new ApiError(429, 'too many', undefined, { retryAfterSeconds: 90 }), t)).toBe('login.throttled {"s":90}');
    expect(loginFailureMessage(new ApiError(423, 'locked', undefined, { lockedUntil: '2026-03-01T02:15:00.000Z' }), t)).toBe('login.locked {"until":"2026-03-01 10:15"}');
    expect(loginFailureMessage(new NetworkError(new Error('down')), t)).toBe('errors.network');
  });

  it("shows the API's own message for anything else", () => {
    expect(loginFailureMessage(new ApiError(403, 'account deactivated', undefined, {}), t)).toBe('account deactivated');
  });

  it('checks the password rules before sending', () => {
    const ok = { username: 'nanjing', current: 'old-password-1', next: 'new-password-22', repeat: 'new-password-22' };
    expect(passwordProblem(ok)).toBeNull();
    expect(passwordProblem({ ...ok, next: 'short', repeat: 'short' })).toBe('password.tooShort');
    expect(passwordProblem({ ...ok, username: 'nanjing-admin', next: 'nanjing-admin', repeat: 'nanjing-admin' })).toBe('password.sameAsUser');
    expect(passwordProblem({ ...ok, next: ok.current, repeat: ok.current })).toBe('password.sameAsCurrent');
    expect(passwordProblem({ ...ok, repeat: 'new-password-23' })).toBe('password.mismatch');
  });
});
