import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedcollar, type RunningApp } from '../../src/main.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { registrationScript } from '../support/appHarness.ts';
import { simPost, simSay, startTestApp } from '../support/httpApp.ts';

const join_ = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

describe('the app over HTTP', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startTestApp('e2e_http');
  });
  afterAll(() => app?.stop());

  it('answers /healthz, /readyz and /metrics', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    await simSay(app.url, 'metrics-user', '菜单');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/redcollar_turns_total\{channel="sim"\} [1-9]/);
    expect(metrics).toContain('redcollar_turn_duration_seconds_bucket');
    expect(metrics).toContain('redcollar_dedupe_hits_total');
    expect(metrics).toContain('redcollar_errors_total');
  });

  it('serves the simulator page with a strict content security policy', async () => {
    const res = await fetch(`${app.url}/sim`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('message-input');
  });

  it.each([
    ['malformed JSON', { raw: '{"userId": "a", "text": ' }, 400, /not valid JSON/],
    ['a JSON string instead of an object', { raw: '"hello"' }, 400, /not valid JSON|expected object/],
    ['a missing text', { body: { userId: 'a' } }, 400, /text/],
    ['a missing userId', { body: { text: 'hi' } }, 400, /userId/],
    ['an operator object as userId', { body: { userId: { $gt: '' }, text: 'hi' } }, 400, /userId must be a string/],
    ['a userId with a path in it', { body: { userId: '../../etc', text: 'hi' } }, 400, /userId must be/],
    ['an empty text', { body: { userId: 'a', text: '   ' } }, 400, /text must not be empty/],
    ['an unknown field', { body: { userId: 'a', text: 'hi', admin: true } }, 400, /admin|Unrecognized/i],
    ['a form body', { raw: 'userId=a&text=hi', contentType: 'application/x-www-form-urlencoded' }, 415, /application\/json/],
  ] as const)('refuses %s with a clear JSON error and changes nothing', async (_name, req, status, message) => {
    const r = await simPost(app.url, 'body' in req ? req.body : undefined, 'raw' in req ? { raw: req.raw, ...('contentType' in req ? { contentType: req.contentType } : {}) } : {});
    expect(r.status).toBe(status);
    expect(String(r.body.error)).toMatch(message);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  });

  it('refuses a body over the size limit with 413 and stays up', async () => {
    const r = await simPost(app.url, { userId: 'big', text: 'x'.repeat(1024 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body.error).toBe('request body too large');
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('answers a 10,000-character message with a clear reply, and emoji and operator-like text as plain text', async () => {
    expect(join_(await simSay(app.url, 'long', '啊'.repeat(10_000)))).toContain('消息太长');
    await simSay(app.url, 'odd', '菜单');
    expect(join_(await simSay(app.url, 'odd', '🎉🎉🎉'))).toContain('请从下面的选项中选择') // buttons on the simulator: no number asked for;
    await simSay(app.url, 'odd', '取消');
    expect(join_(await simSay(app.url, 'odd', '{"$where": "sleep(1000)"}'))).toContain('没有理解');
  });

  it('answers a repeated messageId with the first replies and marks it as a duplicate', async () => {
    const first = await simPost(app.url, { userId: 'dup', text: '注册', messageId: 'abc-1' });
    const again = await simPost(app.url, { userId: 'dup', text: '注册', messageId: 'abc-1' });
    expect(again.body.replies).toEqual(first.body.replies);
    expect(again.body.duplicate).toBe(true);
  });

  it('returns 404 as JSON for unknown routes', async () => {
    const res = await fetch(`${app.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for GET /nope' });
  });
});

describe('SIM_ENABLED=false', () => {
  it('turns the simulator off', async () => {
    const app = await startTestApp('e2e_sim_off', { SIM_ENABLED: 'false' });
    try {
      expect((await fetch(`${app.url}/sim`)).status).toBe(404);
      expect((await simPost(app.url, { userId: 'a', text: 'hi' })).status).toBe(404);
    } finally {
      await app.stop();
    }
  });
});

describe('the default start: embedded database kept on disk', () => {
  it('registers through /sim, restarts, and still has the profile', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'redcollar-e2e-'));
    const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, EMBEDDED_MONGO_BACKEND: 'h2' };
    const first = await startRedcollar(env);
    try {
      for (const text of registrationScript(makeIdNumber('320102', '19850312', '777'))) await simSay(first.url, 'keeper', text);
      expect(join_(await simSay(first.url, 'keeper', '确认'))).toContain('注册成功');
    } finally {
      await first.stop();
    }
    const second = await startRedcollar(env);
    try {
      const profile = join_(await simSay(second.url, 'keeper', '我的信息'));
      expect(profile).toContain('姓名：张三');
      expect(profile).toContain('320***********7');
    } finally {
      await second.stop();
    }
  }, 120_000);
});
