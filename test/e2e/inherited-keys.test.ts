/**
 * Regression, end to end: after 菜单, "constructor" (or "__proto__", in any case, with a leading `/` or a trailing
 * `!`) gave the internal-error reply on every channel, the mini program's {"choiceId":"__proto__"} the same, and a
 * signed WeChat CLICK with <EventKey>constructor</EventKey> got HTTP 500: the words were looked up in plain objects
 * and found what every object inherits. Here each word goes in every spelling through /sim, the mini program's turn
 * API (text and choiceId), the Telegram webhook (text and callback_query data) and the official account (text and
 * CLICK), at the idle menu, at a choice question and at a free-text question: status 200, an ordinary answer or a
 * polite "not understood", never the internal error.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/channel.ts';
import { createMongoTelegramUsers } from '../../src/store/mongo/telegramUsers.ts';
import { createLogger } from '../../src/infra/logger.ts';
import type { RunningApp } from '../../src/main.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createAppInstance, registrationScript, TestClock } from '../support/appHarness.ts';
import { testDbUri } from '../support/db.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { simPost, startTestAppWithDb } from '../support/httpApp.ts';
import { INTERNAL_ERROR, inheritedNamesRotating, inheritedNameVariants } from '../support/inheritedNames.ts';
import { FakeBotApi } from '../channels/telegram/fakeBotApi.ts';
import { serveRouters } from '../channels/telegram/harness.ts';
import { callbackUpdate, postUpdate, textUpdate } from '../channels/telegram/updates.ts';
import { FakeWechatApi } from '../channels/wechat-mp/fakeWechatApi.ts';
import { MP_APPID, MP_SECRET } from '../channels/wechat-mp/harness.ts';
import { AES_KEY, APP_ID, openidOf, TOKEN, wechatClient } from '../channels/wechat-oa/harness.ts';

const MENU_PROMPT = '请选择要办理的事项';
const NOT_UNDERSTOOD = '抱歉，没有理解您的意思。请从下面的菜单中选择：';
const NOT_AN_OPTION = /(?:请回复 1 到 \d+ 之间的编号|请从下面的选项中选择)，或直接回复选项文字。/; // numbered text on WeChat, buttons elsewhere
const ORG_NAME_PROMPT = '请输入您所在单位（两新组织）的全称';
const ORG_CODE_PROMPT = '请输入单位的统一社会信用代码';
/** The registration script's answers before the organisation's name is asked (注册 … 入党时间). */
const BEFORE_ORG_NAME = 7;

/** One HTTP exchange with a channel: its status and every text the bot sent for it. */
interface Exchange {
  status: number;
  text: string;
}

/** A user on one channel: `say` types; `send` delivers a word the way this client tests (typed or tapped). */
interface Client {
  say(text: string): Promise<Exchange>;
  send(word: string): Promise<Exchange>;
}

/** The texts of a `{ replies: [{ text }] }` body (sim, mini program); an error body as it is. */
const repliesText = (body: Record<string, unknown>): string =>
  Array.isArray(body.replies) ? (body.replies as { text: string }[]).map((r) => r.text).join('\n') : JSON.stringify(body);

function expectReply(r: Exchange, word: string, wanted: string | RegExp): void {
  expect(r.status, word).toBe(200);
  expect(r.text, word).not.toMatch(INTERNAL_ERROR);
  if (typeof wanted === 'string') expect(r.text, word).toContain(wanted);
  else expect(r.text, word).toMatch(wanted);
}

/**
 * Each word at the menu, with nothing in progress, at a free-text question (orgName) and at a choice question
 * (orgType), in a spelling that rotates with the point and the client (`spelling`): every spelling reaches every
 * point (the engine test sends every word in every spelling everywhere).
 */
async function walk(c: Client, idSeq: string, spelling: number, atEachPoint: (point: 'menu' | 'text' | 'choice') => Promise<void> = async () => {}): Promise<void> {
  expectReply(await c.say('菜单'), 'menu', MENU_PROMPT);
  await atEachPoint('menu');
  for (const w of inheritedNamesRotating(spelling)) {
    expectReply(await c.send(w), w, NOT_AN_OPTION);
    expectReply(await c.say('取消'), 'cancel', '已取消');
    // Nothing in progress now: not understood, and the menu opens again for the next word.
    expectReply(await c.send(w), w, NOT_UNDERSTOOD);
  }
  const script = registrationScript(makeIdNumber('320102', '19850312', idSeq));
  let reply: Exchange | undefined;
  for (const t of script.slice(0, BEFORE_ORG_NAME)) reply = await c.say(t);
  expectReply(reply!, 'joinDate', ORG_NAME_PROMPT);
  await atEachPoint('text');
  for (const w of inheritedNamesRotating(spelling + 1)) {
    expectReply(await c.send(w), w, ORG_CODE_PROMPT);
    expectReply(await c.say('返回'), w, ORG_NAME_PROMPT);
  }
  await c.say(script[BEFORE_ORG_NAME]!);
  expectReply(await c.say('跳过'), 'skip', '单位的类型');
  await atEachPoint('choice');
  for (const w of inheritedNamesRotating(spelling + 2)) expectReply(await c.send(w), w, NOT_AN_OPTION);
  // Still at the same question: a real answer goes on.
  expectReply(await c.say('1'), 'orgType', '单位是否为规模以上企业');
}

const clock = new TestClock(new Date());
let app: RunningApp;
let db: Connection;
let wx: FakeWechatApi;

beforeAll(async () => {
  wx = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  // One WeChat fake serves both accounts: the official account answers passively and needs no API here.
  const oa = { WECHAT_OA_APPID: APP_ID, WECHAT_OA_SECRET: 'secret-secret-secret-1234', WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_AES_KEY: AES_KEY };
  const started = await startTestAppWithDb('inherited_keys', { ...oa, WECHAT_MP_APPID: MP_APPID, WECHAT_MP_SECRET: MP_SECRET, WECHAT_API_BASE: wx.url }, { clock });
  ({ app } = started);
  db = await connectMongo(started.uri);
});
afterAll(async () => {
  for (const close of [() => db?.close(), () => app?.stop(), () => wx?.stop()]) await close();
});

describe('regression: inherited names such as "constructor" gave the internal error (main.ts wiring)', () => {
  it('/sim: each word typed', async () => {
    const say = async (text: string): Promise<Exchange> => {
      const r = await simPost(app.url, { userId: 'inherited-sim', text });
      return { status: r.status, text: repliesText(r.body) };
    };
    await walk({ say, send: say }, '601', 0);
  });

  async function mpClient(name: string, tapped: boolean): Promise<Client> {
    const login = await fetch(`${app.url}/mp/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `good-${name}` }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const turn = async (body: Record<string, string>): Promise<Exchange> => {
      const res = await fetch(`${app.url}/mp/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      return { status: res.status, text: repliesText((await res.json()) as Record<string, unknown>) };
    };
    const say = (text: string) => turn({ text });
    return { say, send: tapped ? (w) => turn({ choiceId: w }) : say };
  }

  it('mini program: each word typed', async () => {
    await walk(await mpClient('inherited-text', false), '602', 1);
  });

  it('mini program: each word as a choiceId', async () => {
    await walk(await mpClient('inherited-choice', true), '603', 2);
  });

  it('official account: each word typed, and each as the EventKey of a signed CLICK', async () => {
    const oa = wechatClient(app.url, clock);
    const openid = openidOf('inherited');
    const say = async (text: string): Promise<Exchange> => {
      const r = await oa.text(openid, text);
      return { status: r.status, text: r.text ?? r.raw };
    };
    await walk({ say, send: say }, '604', 3, async () => {
      // A CLICK whose key is no menu button is acknowledged and changes nothing (the walk goes on from here).
      for (const w of inheritedNameVariants()) {
        const r = await oa.event(openid, 'CLICK', w);
        expect([r.status, r.raw], w).toEqual([200, 'success']);
      }
    });
  });
});

describe('the admin API and /verify given inherited names', () => {
  it('refuses query fields and ids named like inherited properties, or finds nothing for them, never a 500', async () => {
    const admins = createMongoAdminRepository(db);
    await Promise.all(Object.values(db.models).map((m) => m.init()));
    const { token } = await createAdmin(admins, { name: '南京市两新工委', regionCode: '320100', levels: [] }, clock.now());
    const get = async (path: string) => {
      const res = await fetch(`${app.url}/admin/api${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { error?: string; items?: unknown[] } };
    };
    for (const w of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'prototype']) {
      // Well-formed level and stage ids that no loaded policy has: a 400 naming the known ones, never a 500.
      for (const field of ['level', 'stage']) {
        const r = await get(`/applications?${field}=${w}`);
        expect(r.status, `${field}=${w}`).toBe(400);
        expect(r.body.error, `${field}=${w}`).toMatch(new RegExp(`^${field} ${w} is no ${field} of a loaded policy; use one of: `));
      }
      const status = await get(`/applications?status=${w}`);
      expect(status.status, `status=${w}`).toBe(400);
      expect(status.body.error).toMatch(/^status must be one of: "open"/);
      const key = await get(`/applications?${w}=1`);
      expect(key.status, `?${w}=1`).toBe(400);
      expect(key.body.error).toMatch(/Unrecognized key/);
      const format = await get(`/reports/allowance?year=2026&format=${w}`);
      expect(format.status, `format=${w}`).toBe(400);
      expect(format.body.error).toMatch(/^format must be one of: "json"/);
      expect((await get(`/applications/${w}`)).status, `/applications/${w}`).toBe(404);
      expect((await get(`/applications/${w}/evidence/${w}`)).status, `evidence/${w}`).toBe(400);
      expect((await fetch(`${app.url}/verify/${w}.json`)).status, `/verify/${w}.json`).toBe(404);
    }
    for (const path of ['/applications?__proto__=1', '/applications?level=__proto__', '/applications?stage=__proto__']) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toBeTruthy();
    }
  });
});

describe('regression: inherited names such as "constructor" gave the internal error (Telegram webhook)', () => {
  const BOT_TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
  const SECRET = 'webhook_secret-0123456789abcdef';
  let bot: FakeBotApi;
  let instance: Awaited<ReturnType<typeof createAppInstance>>;
  let channel: TelegramChannel;
  let http: Awaited<ReturnType<typeof serveRouters>>;

  beforeAll(async () => {
    bot = await new FakeBotApi(BOT_TOKEN).start();
    instance = await createAppInstance(testDbUri('inherited_keys_telegram'));
    channel = createTelegramChannel({
      config: { botToken: BOT_TOKEN, webhookSecret: SECRET, apiBase: bot.url, perChatPerSecond: 200, globalPerSecond: 2000, retryBackoffMs: 20 },
      handleInbound: instance.handle,
      users: createMongoTelegramUsers(instance.connection),
      logger: createLogger('silent'),
    });
    http = await serveRouters([channel.routes], { maxBodyKb: 64 });
  });
  afterAll(async () => {
    await channel?.stop();
    await http?.close();
    await instance?.close();
    await bot?.stop();
  });

  function telegramClient(chatId: number, tapped: boolean): Client {
    const post = async (update: unknown): Promise<Exchange> => {
      const before = bot.sent(chatId).length;
      const res = await postUpdate(http.url, update, SECRET);
      await channel.idle();
      return { status: res.status, text: bot.sent(chatId).slice(before).map((c) => String(c.params.text)).join('\n') };
    };
    const say = (text: string) => post(textUpdate(chatId, text));
    return { say, send: tapped ? (w) => post(callbackUpdate(chatId, w)) : say };
  }

  it('each word typed', async () => {
    await walk(telegramClient(7601, false), '605', 0);
  });

  it('each word as callback_query data', async () => {
    await walk(telegramClient(7602, true), '606', 1);
  });
});
