import { describe, expect, it, vi } from 'vitest';
import { createAdminApi } from '../../console/src/api/admin.ts';
import { ApiError, NetworkError, queryString } from '../../console/src/api/http.ts';
import { fakeFetch } from './fakeFetch.ts';

const ACCOUNT = { id: 'a1', username: 'nanjing', name: '王主任', regionCode: '3201', tier: 'city' };

describe('console API client', () => {
  it('sends the CSRF token from the login on unsafe requests only, and forgets it at logout', async () => {
    const { fetch, sent } = fakeFetch((s) =>
      s.url.endsWith('/session') && s.method === 'POST'
        ? { status: 200, body: { account: ACCOUNT, csrfToken: 'tok-1', mustChangePassword: false } }
        : s.method === 'DELETE'
          ? { status: 204 }
          : { status: 200, body: { items: [], next: null } },
    );
    const api = createAdminApi({ fetch });
    await api.login('nanjing', 'secret-password');
    await api.applications({ status: 'open' });
    await api.transition('app1', 'advance', 'ok', 3);
    await api.logout();
    await api.transition('app1', 'advance', '', 4).catch(() => undefined);

    expect(sent[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(sent[1]!.url).toBe('/admin/api/applications?status=open');
    expect(sent[1]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(sent[2]!.headers['X-CSRF-Token']).toBe('tok-1');
    expect(sent[2]!.body).toEqual({ action: 'advance', expectedVersion: 3, note: 'ok' });
    expect(sent[3]!.headers['X-CSRF-Token']).toBe('tok-1');
    expect(sent[4]!.headers['X-CSRF-Token']).toBeUndefined();
    // An empty note is left out rather than sent as "" (the API's advance takes an optional note).
    expect(sent[4]!.body).toEqual({ action: 'advance', expectedVersion: 4 });
  });

  it("turns the API's JSON error into an ApiError with its message, code and fields", async () => {
    const { fetch } = fakeFetch(() => ({ status: 429, body: { error: 'too many attempts from this address', retryAfterSeconds: 42 } }));
    const error = await createAdminApi({ fetch }).login('x', 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, message: 'too many attempts from this address', code: undefined });
    expect((error as ApiError).retryAfterSeconds).toBe(42);
  });

  it('reads who changed what from a 409', async () => {
    const current = { version: 5, stage: 'publicNotice', by: '李科长', at: '2026-03-01T02:00:00.000Z', action: 'advance' };
    const { fetch } = fakeFetch(() => ({ status: 409, body: { error: 'changed by someone else', code: 'conflict', current } }));
    const error = (await createAdminApi({ fetch }).transition('a', 'advance', 'n', 4).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.current).toEqual(current);
  });

  it('a 409 without the current record still is an ApiError, with current undefined', async () => {
    const { fetch } = fakeFetch(() => ({ status: 409, body: { error: 'application a changed since you read it' } }));
    const error = (await createAdminApi({ fetch }).transition('a', 'advance', '', 4).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('application a changed since you read it');
    expect(error.current).toBeUndefined();
  });

  it('says what happened when the body is not JSON (a proxy error page)', async () => {
    const { fetch } = fakeFetch(() => ({ status: 502, text: '<html>Bad Gateway</html>' }));
    const error = (await createAdminApi({ fetch }).dashboard().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/^HTTP 502/);
  });

  it('a failed connection is a NetworkError with status 0, not an unhandled TypeError', async () => {
    const { fetch } = fakeFetch(() => new TypeError('fetch failed'));
    const error = (await createAdminApi({ fetch }).dashboard().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('fetch failed');
  });

  it('reports an ended session (401) to the app, except from the session routes themselves', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(() => ({ status: 401, body: { error: 'log in first' } }));
    const api = createAdminApi({ fetch, onUnauthorized });
    await api.session().catch(() => undefined);
    expect(onUnauthorized).not.toHaveBeenCalled();
    await api.dashboard().catch(() => undefined);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reports a forced password change (403 passwordChangeRequired), and not other 403s', async () => {
    const onPasswordChangeRequired = vi.fn();
    let code = 'outOfScope';
    const { fetch } = fakeFetch(() => ({ status: 403, body: { error: 'no', code } }));
    const api = createAdminApi({ fetch, onPasswordChangeRequired });
    await api.dashboard().catch(() => undefined);
    expect(onPasswordChangeRequired).not.toHaveBeenCalled();
    code = 'passwordChangeRequired';
    await api.dashboard().catch(() => undefined);
    expect(onPasswordChangeRequired).toHaveBeenCalledTimes(1);
  });

  it("downloads a file under the server's file name", async () => {
    const { fetch, sent } = fakeFetch(() => ({ status: 200, text: 'a,b', headers: { 'Content-Disposition': 'attachment; filename="allowance-2025.csv"' } }));
    const file = await createAdminApi({ fetch }).allowanceFile(2025, 'zh-CN', 'csv');
    expect(file.filename).toBe('allowance-2025.csv');
    expect(await file.blob.text()).toBe('a,b');
    expect(sent[0]!.url).toBe('/admin/api/reports/allowance?year=2025&lang=zh-CN&format=csv');
  });

  it('leaves empty filters out of the query string and encodes the rest', () => {
    expect(queryString({ status: 'open', stage: '', level: undefined, region: null, q: '张 三' })).toBe('?status=open&q=%E5%BC%A0+%E4%B8%89');
    expect(queryString({})).toBe('');
  });

  it('encodes ids in paths, so an id cannot reach another route', async () => {
    const { fetch, sent } = fakeFetch(() => ({ status: 200, body: {} }));
    await createAdminApi({ fetch }).application('../accounts');
    expect(sent[0]!.url).toBe('/admin/api/applications/..%2Faccounts');
  });
});
