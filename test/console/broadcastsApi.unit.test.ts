import { describe, expect, it } from 'vitest';
import { ApiError, createHttpClient } from '../../console/src/api/http.ts';
import { createBroadcastsApi } from '../../console/src/features/broadcasts/api.ts';
import { fakeFetch, type Answer, type Sent } from './fakeFetch.ts';

function client(answer: (s: Sent) => Answer) {
  const f = fakeFetch(answer);
  const http = createHttpClient({ base: '/admin/api', fetch: f.fetch });
  http.setCsrfToken('tok');
  return { api: createBroadcastsApi(http), sent: f.sent };
}

describe('broadcast API client', () => {
  it('edits a draft with PATCH carrying the CSRF token and the body', async () => {
    const { api, sent } = client(() => ({ status: 200, body: { id: 'b1' } }));
    await api.update('b1', { text: { 'zh-CN': '通知' }, segment: { roles: ['staff'] }, sessionId: null, sendAt: null, expiresAt: null });
    expect(sent[0]).toMatchObject({ method: 'PATCH', url: '/admin/api/broadcasts/b1', body: { text: { 'zh-CN': '通知' }, segment: { roles: ['staff'] }, sessionId: null, sendAt: null, expiresAt: null } });
    expect(sent[0]!.headers['X-CSRF-Token']).toBe('tok');
  });

  it('names the contract routes', async () => {
    const { api, sent } = client(() => ({ status: 200, body: {} }));
    await api.list({ status: 'sending', cursor: 'c2', limit: 20 });
    await api.dryRun('b1');
    await api.testSend('b1');
    await api.control('b1', 'pause');
    await api.decideUnknown('b1', 'drop');
    await api.recipients('b1', { status: '', limit: 20 });
    await api.settings();
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /admin/api/broadcasts?status=sending&cursor=c2&limit=20',
      'POST /admin/api/broadcasts/b1/dry-run',
      'POST /admin/api/broadcasts/b1/test-send',
      'POST /admin/api/broadcasts/b1/pause',
      'POST /admin/api/broadcasts/b1/unknown',
      'GET /admin/api/broadcasts/b1/recipients?limit=20',
      'GET /admin/api/broadcasts/settings',
    ]);
    expect(sent[4]!.body).toEqual({ action: 'drop' });
  });

  it('binds the test target with PUT', async () => {
    const { api, sent } = client(() => ({ status: 200, body: { channel: 'sim', userId: 'me' } }));
    await api.bindTestTarget({ channel: 'sim', userId: 'me' });
    expect(sent[0]).toMatchObject({ method: 'PUT', url: '/admin/api/broadcasts/test-target', body: { channel: 'sim', userId: 'me' } });
    expect(sent[0]!.headers['X-CSRF-Token']).toBe('tok');
  });

  it('encodes the id, so an id cannot reach another route', async () => {
    const { api, sent } = client(() => ({ status: 200, body: {} }));
    await api.get('../settings');
    expect(sent[0]!.url).toBe('/admin/api/broadcasts/..%2Fsettings');
  });

  it('the 409 of a test send without a bound chat is an ApiError with the server message', async () => {
    const { api } = client(() => ({ status: 409, body: { error: 'no chat identity bound: send 绑定 to the bot', code: 'noChatIdentity' } }));
    const e = (await api.testSend('b1').catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(409);
    expect(e.message).toContain('绑定');
  });

  it.each([
    ['{ items }', { items: [{ id: 's1', title: 'A' }] }],
    ['{ sessions }', { sessions: [{ id: 's1', title: 'A' }] }],
    ['a bare list', [{ id: 's1', title: 'A' }]],
  ])('reads the training session list given as %s', async (_shape, body) => {
    const { api, sent } = client(() => ({ status: 200, body }));
    expect(await api.sessions()).toEqual([{ id: 's1', title: 'A' }]);
    expect(sent[0]!.url).toBe('/admin/api/training/sessions');
  });
});
