import { beforeAll, describe, expect, it } from 'vitest';
import type { WechatMpChannel } from '../../../src/channels/wechat-mp/channel.ts';
import { createAppInstance, registrationScript, TestClock } from '../../support/appHarness.ts';
import { closeAfterAll } from '../../support/closeAfterAll.ts';
import { testDbUri } from '../../support/db.ts';
import { makeIdNumber } from '../../support/engineHarness.ts';
import { loadTranscripts, playTranscript, type Reply } from '../../support/transcripts.ts';
import { serveRouters } from '../telegram/harness.ts';
import { FakeWechatApi, openidOf } from './fakeWechatApi.ts';
import { MP_APPID, MP_SECRET, mpChannel, TEMPLATE_A, TEMPLATE_B } from './harness.ts';

/** /mp/api end to end: login through a fake jscode2session, turns through the real pipeline and database. */
let fake: FakeWechatApi;
let app: Awaited<ReturnType<typeof createAppInstance>>;
let clock: TestClock;
let channel: WechatMpChannel;
let http: Awaited<ReturnType<typeof serveRouters>>;
const closers = closeAfterAll();

beforeAll(async () => {
  fake = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  closers.push(() => fake.stop());
  clock = new TestClock(new Date());
  app = await createAppInstance(testDbUri('mp_api'), { clock });
  closers.push(app.close);
  channel = mpChannel(app, fake);
  await channel.start();
  http = await serveRouters([channel.routes], { maxBodyKb: 64 });
  closers.push(http.close);
});

async function call(method: string, path: string, opts: { token?: string | null; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${http.url}${path}`, { method, headers, ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { nonJson: text };
  }
  return { status: res.status, body: json, headers: res.headers, text };
}

async function login(name: string): Promise<string> {
  const r = await call('POST', '/mp/api/login', { body: { code: `good-${name}` } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return String(r.body.token);
}

const squash = (replies: Reply[]) => replies.map((r) => r.text).join('').replace(/\s+/g, '');

describe('POST /mp/api/login', () => {
  it('exchanges the code through jscode2session for our own token, stored hashed, session_key sealed', async () => {
    const r = await call('POST', '/mp/api/login', { body: { code: 'good-alice' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token: expect.stringMatching(/^mps_[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    expect(new Date(String(r.body.expiresAt)).getTime() - clock.now().getTime()).toBe(7 * 24 * 3_600_000);
    const [c2s] = fake.calls.filter((c) => c.path === '/sns/jscode2session');
    expect(c2s?.query).toEqual({ appid: MP_APPID, secret: MP_SECRET, js_code: 'good-alice', grant_type: 'authorization_code' });
    const docs = await app.connection.collection('mp_sessions').find({ openid: openidOf('alice') }).toArray();
    expect(docs).toHaveLength(1);
    const stored = JSON.stringify(docs);
    expect(stored).not.toContain(String(r.body.token));
    expect(stored).not.toContain(String(r.body.token).slice(4));
    // The session_key is neither in the response nor stored in the clear, but can be read back on the server.
    const sessionKey = (await fetch(`${fake.url}/sns/jscode2session?appid=${MP_APPID}&secret=${MP_SECRET}&js_code=good-alice&grant_type=authorization_code`).then((x) => x.json())) as { session_key: string };
    expect(r.text).not.toContain(sessionKey.session_key);
    expect(stored).not.toContain(sessionKey.session_key);
    expect(await channel.sessions.sessionKey(String(r.body.token), clock.now())).toBe(sessionKey.session_key);
  });

  it('refuses bad codes, bad bodies and an unavailable WeChat with the right status', async () => {
    const cases: [string, Parameters<typeof call>[2], number][] = [
      ['invalid code', { body: { code: 'nope' } }, 400],
      ['used code', { body: { code: 'used-1' } }, 400],
      ['no code', { body: {} }, 400],
      ['extra field', { body: { code: 'good-x', openid: 'o123456' } }, 400],
      ['code with odd characters', { body: { code: 'good-x/../..' } }, 400],
      ['malformed JSON', { raw: '{"code": ' }, 400],
      ['text/plain', { raw: 'code', contentType: 'text/plain' }, 415],
      ['oversized', { body: { code: 'x'.repeat(70 * 1024) } }, 413],
    ];
    for (const [what, opts, status] of cases) {
      const r = await call('POST', '/mp/api/login', opts);
      expect(r.status, what).toBe(status);
      expect(r.body.error, what).toEqual(expect.any(String));
    }
    fake.failNext('/sns/jscode2session', { errcode: 45011, errmsg: 'api minute-quota reach limit' });
    expect((await call('POST', '/mp/api/login', { body: { code: 'good-bob' } })).status).toBe(429);
    fake.failNext('/sns/jscode2session', { errcode: -1, errmsg: 'system error' });
    expect((await call('POST', '/mp/api/login', { body: { code: 'good-bob' } })).status).toBe(502);
    fake.failNext('/sns/jscode2session', {}, 500);
    expect((await call('POST', '/mp/api/login', { body: { code: 'good-bob' } })).status).toBe(502);
    // Still up.
    expect((await call('POST', '/mp/api/login', { body: { code: 'good-bob' } })).status).toBe(200);
  });
});

describe('session tokens', () => {
  it('401 for a missing, malformed, unknown, tampered, expired or revoked token', async () => {
    const token = await login('carol');
    expect((await call('GET', '/mp/api/me', { token })).status).toBe(200);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const [what, headers] of [
      ['missing', {}],
      ['not bearer', { authorization: `Basic ${token}` }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['malformed', { authorization: 'Bearer abc' }],
      ['tampered', { authorization: `Bearer ${tampered}` }],
      ['unknown', { authorization: `Bearer mps_${'A'.repeat(43)}` }],
      ['operator', { authorization: 'Bearer {"$gt":""}' }],
    ] as [string, Record<string, string>][]) {
      for (const [method, path, body] of [
        ['GET', '/mp/api/me'],
        ['POST', '/mp/api/turn', { text: '菜单' }],
        ['GET', '/mp/api/status'],
        ['GET', '/mp/api/subscriptions'],
      ] as [string, string, unknown?][]) {
        const r = await call(method, path, { headers, ...(body ? { body } : {}) });
        expect(r.status, `${what} ${method} ${path}`).toBe(401);
        expect(r.headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    // Nothing ran for the refused turns.
    expect(await app.conversations.lastReply('wechat-mp', openidOf('carol'), clock.now())).toMatchObject({ last: null });

    const expiring = await login('dave');
    clock.advance(7 * 24 * 3_600_000 - 1000);
    expect((await call('GET', '/mp/api/me', { token: expiring })).status).toBe(200);
    clock.advance(2000);
    expect((await call('GET', '/mp/api/me', { token: expiring })).status).toBe(401);

    const revoked = await login('erin');
    expect((await call('POST', '/mp/api/logout', { token: revoked })).status).toBe(204);
    expect((await call('GET', '/mp/api/me', { token: revoked })).status).toBe(401);
    expect(await channel.sessions.purgeExpired(app.clock.now())).toBeGreaterThanOrEqual(1);
  });
});

describe('POST /mp/api/turn', () => {
  it('runs the registration transcript with the same outcome as /sim; /me and /status follow', async () => {
    const token = await login('frank');
    const openid = openidOf('frank');
    expect((await call('GET', '/mp/api/me', { token })).body).toEqual({ registered: false });
    const before = await call('GET', '/mp/api/status', { token });
    expect(before.body).toEqual({ registered: false, text: expect.stringContaining('您还没有注册') });

    const transcript = loadTranscripts().find((t) => t.file === 'registration.yaml')!.transcript;
    const sim = await createAppInstance(testDbUri('mp_vs_sim'));
    closers.push(sim.close);
    let lastChoices: { id: string; label: string }[] = [];
    let taps = 0;
    let n = 0;
    await playTranscript(transcript, async (_who, text) => {
      n++;
      const tapped = lastChoices.find((c) => c.label === text);
      if (tapped) taps++;
      const r = await call('POST', '/mp/api/turn', { token, body: tapped ? { choiceId: tapped.id } : { text } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const replies = r.body.replies as Reply[];
      const simReplies = (await sim.handle({ channel: 'sim', userId: 's1', messageId: `s${n}`, input: { type: 'text', text } })).replies;
      expect(squash(replies), `turn ${n} (${text})`).toBe(squash(simReplies));
      expect(replies.map((x) => x.choices ?? null)).toEqual(simReplies.map((x) => x.choices ?? null));
      lastChoices = replies.filter((x) => x.choices?.length).at(-1)?.choices ?? lastChoices;
      return replies;
    });
    expect(taps).toBeGreaterThanOrEqual(3);
    const worker = await app.workers.findByAccount('wechat-mp', openid);
    expect(worker).toMatchObject({ name: '张小三', idNumber: '320102198503121234', regionCode: '320102' });

    const me = await call('GET', '/mp/api/me', { token });
    expect(me.body).toEqual({
      registered: true,
      profile: { name: '张*三', mobile: '138****5678', idNumber: '320***********1234', gender: 'male', orgName: '某某科技有限公司', regionCode: '320102', regionName: '江苏省 / 南京市 / 玄武区', registeredOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    });
    expect(me.text).not.toContain('320102198503121234');
    expect(me.text).not.toContain('13812345678');
    const status = await call('GET', '/mp/api/status', { token });
    expect(status.body).toEqual({ registered: true, text: expect.stringContaining('注册') });
    expect((await call('GET', '/mp/api/status?locale=fr', { token })).status).toBe(400);
  });

  it('registers with the scripted answers too (registrationScript + 确认)', async () => {
    const token = await login('grace');
    const id = makeIdNumber('320102', '19900101', '456');
    for (const text of registrationScript(id, '王五')) expect((await call('POST', '/mp/api/turn', { token, body: { text } })).status).toBe(200);
    const done = await call('POST', '/mp/api/turn', { token, body: { text: '确认' } });
    expect(JSON.stringify(done.body)).toContain('注册成功');
    expect(await app.workers.findByAccount('wechat-mp', openidOf('grace'))).toMatchObject({ name: '王五', idNumber: id });
  });

  it('an idempotency key runs the turn once, per user', async () => {
    const alice = await login('henry');
    const bob = await login('irene');
    const first = await call('POST', '/mp/api/turn', { token: alice, body: { text: '注册', messageId: 'k-1' } });
    const again = await call('POST', '/mp/api/turn', { token: alice, body: { text: '注册', messageId: 'k-1' } });
    expect(first.body.duplicate).toBeUndefined();
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    const viaHeader = await call('POST', '/mp/api/turn', { token: alice, body: { text: '张三' }, headers: { 'idempotency-key': 'k-2' } });
    const viaHeaderAgain = await call('POST', '/mp/api/turn', { token: alice, body: { text: '张三' }, headers: { 'idempotency-key': 'k-2' } });
    expect(viaHeaderAgain.body.duplicate).toBe(true);
    expect(viaHeaderAgain.body.replies).toEqual(viaHeader.body.replies);
    // The same key from another user is another message.
    const other = await call('POST', '/mp/api/turn', { token: bob, body: { text: '注册', messageId: 'k-1' } });
    expect(other.body.duplicate).toBeUndefined();
    expect(JSON.stringify(other.body)).toContain('请输入您的姓名');
    expect((await call('POST', '/mp/api/turn', { token: alice, body: { text: 'x', messageId: 'a' }, headers: { 'idempotency-key': 'b' } })).status).toBe(400);
  });

  it('refuses bodies that are not one text or one choice', async () => {
    const token = await login('jack');
    for (const [what, opts, status] of [
      ['both', { body: { text: 'a', choiceId: 'b' } }, 400],
      ['neither', { body: {} }, 400],
      ['empty text', { body: { text: '  ' } }, 400],
      ['text not a string', { body: { text: 1 } }, 400],
      ['bad messageId', { body: { text: 'a', messageId: 'a b' } }, 400],
      ['array', { body: [] }, 400],
      ['malformed JSON', { raw: '{"text": "a"' }, 400],
      ['oversized', { body: { text: 'x'.repeat(70 * 1024) } }, 413],
      ['form', { raw: 'text=a', contentType: 'application/x-www-form-urlencoded' }, 415],
    ] as [string, Parameters<typeof call>[2], number][]) {
      const r = await call('POST', '/mp/api/turn', { token, ...opts });
      expect(r.status, what).toBe(status);
    }
    expect(await app.conversations.lastReply('wechat-mp', openidOf('jack'), clock.now())).toMatchObject({ last: null });
  });
});

describe('GET /mp/api/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every endpoint, with schemas from the zod definitions', async () => {
    const r = await call('GET', '/mp/api/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: unknown } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/mp/api/login', '/mp/api/logout', '/mp/api/me', '/mp/api/notices', '/mp/api/status', '/mp/api/subscriptions', '/mp/api/turn']);
    expect(doc.components.securitySchemes).toEqual({ session: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc.components.schemas.MpLoginRequest).toMatchObject({ type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: expect.any(String) } } });
    expect((doc.components.schemas.MpTurnRequest?.anyOf as unknown[]).length).toBe(2);
    // Every $ref points at a schema in the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });
});

describe('subscribe messages', () => {
  it('records accepted grants, spends one per push, and records the refusal when none is left', async () => {
    const token = await login('kate');
    const openid = openidOf('kate');
    expect((await call('GET', '/mp/api/subscriptions', { token })).body).toEqual({
      templates: [
        { templateId: TEMPLATE_A, remaining: 0, lastResult: null },
        { templateId: TEMPLATE_B, remaining: 0, lastResult: null },
      ],
    });
    // Nothing granted: nothing sent, the refusal recorded.
    const before = fake.calls.length;
    expect(await channel.sender.send('wechat-mp', openid, [{ text: '您的申报已受理' }])).toMatchObject({ ok: false, permanent: true });
    expect(fake.calls.length).toBe(before);
    expect(await channel.subscriptions.raw(openid)).toMatchObject({ refusals: 1, lastRefusal: { reason: expect.stringContaining('no subscribe-message grant') } });

    // The front end reports wx.requestSubscribeMessage's result as it is (errMsg included), twice.
    const res = { errMsg: 'requestSubscribeMessage:ok', [TEMPLATE_A]: 'accept', [TEMPLATE_B]: 'reject', unknownTemplate1: 'accept' };
    const first = await call('POST', '/mp/api/subscriptions', { token, body: { results: res } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      templates: [
        { templateId: TEMPLATE_A, remaining: 1, lastResult: 'accept' },
        { templateId: TEMPLATE_B, remaining: 0, lastResult: 'reject' },
      ],
      ignored: ['unknownTemplate1'],
    });
    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'accept', [TEMPLATE_B]: 'accept' } } });
    expect(((await call('GET', '/mp/api/subscriptions', { token })).body.templates as { remaining: number }[]).map((t) => t.remaining)).toEqual([2, 1]);

    // Three grants, three pushes; the fourth is refused without calling WeChat.
    for (let i = 0; i < 3; i++) expect(await channel.sender.send('wechat-mp', openid, [{ text: `通知 ${i}` }, { text: '详情请进入小程序查看' }])).toEqual({ ok: true });
    const sends = fake.sent('/cgi-bin/message/subscribe/send', openid);
    expect(sends.map((c) => c.body?.template_id)).toEqual([TEMPLATE_A, TEMPLATE_A, TEMPLATE_B]);
    expect(sends[0]?.body).toMatchObject({ touser: openid, page: 'pages/index/index', miniprogram_state: 'formal', data: { thing1: { value: '通知 0' }, time2: { value: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/) } } });
    expect(sends[0]?.query.access_token).toMatch(/^AT_/);
    expect(await channel.sender.send('wechat-mp', openid, [{ text: '通知' }])).toMatchObject({ ok: false, permanent: true });
    expect(fake.sent('/cgi-bin/message/subscribe/send', openid)).toHaveLength(3);
    expect(await channel.subscriptions.raw(openid)).toMatchObject({ refusals: 2 });
  });

  it('WeChat saying "no grant" (43101) zeroes the count; a transient failure gives the grant back', async () => {
    const token = await login('leo');
    const openid = openidOf('leo');
    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'accept' } } });
    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'accept' } } });
    fake.failNext('/cgi-bin/message/subscribe/send', { errcode: 43101, errmsg: 'user refuse to accept the msg' });
    expect(await channel.sender.send('wechat-mp', openid, [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect((await channel.subscriptions.view(openid, [TEMPLATE_A]))[0]?.remaining).toBe(0);
    expect(await channel.subscriptions.raw(openid)).toMatchObject({ refusals: 1, lastRefusal: { templateId: TEMPLATE_A } });

    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'accept' } } });
    for (let i = 0; i < 3; i++) fake.failNext('/cgi-bin/message/subscribe/send', { errcode: -1, errmsg: 'system error' });
    expect(await channel.sender.send('wechat-mp', openid, [{ text: 'x' }])).toMatchObject({ ok: false, permanent: false });
    expect((await channel.subscriptions.view(openid, [TEMPLATE_A]))[0]?.remaining).toBe(1);
    // A transient error once is retried and succeeds.
    fake.failNext('/cgi-bin/message/subscribe/send', { errcode: -1, errmsg: 'system error' });
    expect(await channel.sender.send('wechat-mp', openid, [{ text: 'x' }])).toEqual({ ok: true });
    expect((await channel.subscriptions.view(openid, [TEMPLATE_A]))[0]?.remaining).toBe(0);
  });

  it('a banned template is not used; bad reports are refused', async () => {
    const token = await login('mia');
    const openid = openidOf('mia');
    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'accept' } } });
    await call('POST', '/mp/api/subscriptions', { token, body: { results: { [TEMPLATE_A]: 'ban' } } });
    expect(await channel.sender.send('wechat-mp', openid, [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    for (const body of [{}, { results: [] }, { results: { [TEMPLATE_A]: 'yes' } }, { results: { 'a.b': 'accept' } }, { results: { $where: 'accept' } }, { results: {}, extra: 1 }]) {
      expect((await call('POST', '/mp/api/subscriptions', { token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect(await channel.sender.send('sim', openid, [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect(await channel.sender.send('wechat-mp', 'not an openid!', [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
  });
});
