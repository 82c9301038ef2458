/**
 * Broadcast replies on the real platforms' fakes, through the whole app: on Telegram 报名 by button (a callback
 * query, answered), on the WeChat Official Account by number inside the 48-hour window; outside the window a
 * notice goes as a template message where one is configured. The simulator's replies (button, number, word,
 * 不参加) are in test/http/broadcastsApi.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { FakeBotApi } from '../channels/telegram/fakeBotApi.ts';
import { callbackUpdate, postUpdate, textUpdate } from '../channels/telegram/updates.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../channels/wechat-common/fakeWechatApi.ts';
import { AES_KEY, APP_ID, openidOf, TOKEN, wechatClient } from '../channels/wechat-oa/harness.ts';

const BOT_TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';
const SECRET = 'webhook-secret-0123456789';
const TG_CHAT = 5551;
const OPENID = openidOf('bcast1');
let t: AdminApiApp;
let bot: FakeBotApi;
let wx: FakeWechatApi;
let token: string;

beforeAll(async () => {
  bot = await new FakeBotApi(BOT_TOKEN).start();
  wx = await startFakeWechatApi();
  t = await startAdminApiApp('broadcast_channels', {
    env: {
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_BASE: bot.url,
      WECHAT_OA_APPID: APP_ID,
      WECHAT_OA_SECRET: 'secret-secret-secret-1234',
      WECHAT_OA_TOKEN: TOKEN,
      WECHAT_OA_AES_KEY: AES_KEY,
      WECHAT_API_BASE: wx.url,
      WECHAT_TEMPLATE_IDS: JSON.stringify({ default: 'TPL_NOTICE' }),
    },
  });
  token = await t.token('南京市两新工委', '320100');
  await t.worker({ name: '郑八', region: '320114' }, undefined, { channel: 'telegram', userId: String(TG_CHAT) });
  await t.worker({ name: '冯九', region: '320114' }, undefined, { channel: 'wechat-oa', userId: OPENID });
});
afterAll(async () => {
  await t?.stop();
  await bot?.stop();
  await wx?.close();
});

const until = (id: string) => runBroadcastUntil(t, token, id);

describe('broadcast replies on Telegram and WeChat', () => {
  it('regression: a WeChat user who had just seen the numbered menu answered a notice with "1" and got the menu’s first item (numbers inside a flow went to the flow though the notice came after it); regression: the WeChat notice listed its numbered choices twice (“1. 报名 2. 不参加” under “回复编号：” and again), and the Telegram notice (buttons) did not say to tap; 报名 by a Telegram button (callback query) and by number on WeChat inside the 48-hour window enrol, answers counted per choice', async () => {
    const session = await t.api('POST', '/training/sessions', token, {
      title: '组织员培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-20T09:00:00+08:00', endsAt: '2026-03-20T17:00:00+08:00',
      hours: 8, capacity: 5, enrolBy: '2026-03-19T18:00:00+08:00', place: '南京市委党校',
    });
    expect(session.status).toBe(201);
    // Both wrote to the bot first: Telegram knows the chat, WeChat's window is open.
    expect((await postUpdate(t.app.url, textUpdate(TG_CHAT, '你好'), SECRET)).status).toBe(200);
    const oa = wechatClient(t.app.url, t.clock);
    await oa.text(OPENID, '你好');
    await bot.waitFor(() => bot.sent(TG_CHAT).length > 0, 10_000, 'the reply to 你好');
    const before = bot.sent(TG_CHAT).length;
    // The notice comes a while after they wrote (the menu WeChat answered with is numbered too).
    t.clock.advance(60_000);

    const draft = (await t.api('POST', '/broadcasts', token, { segment: { region: '320114' }, text: { 'zh-CN': '{name}同志：请报名参加{session}。' }, sessionId: session.body.id })).body.id as string;
    // Before sending: Telegram straight, WeChat inside its 48-hour window.
    const dry = (await t.api('POST', `/broadcasts/${draft}/dry-run`, token)).body;
    expect(dry.byChannel).toEqual(expect.arrayContaining([
      expect.objectContaining({ channel: 'telegram', recipients: 1, reachable: expect.objectContaining({ direct: 1, none: 0 }) }),
      expect.objectContaining({ channel: 'wechat-oa', recipients: 1, reachable: expect.objectContaining({ window: 1, template: 0, none: 0 }) }),
    ]));
    expect((await t.api('POST', `/broadcasts/${draft}/send`, token)).body.status).toBe('sending');
    const id = draft;
    const done = await until(id);
    expect(done).toMatchObject({ total: 2, counts: { sent: 2, skipped: 0 } });

    const notice = bot.sent(TG_CHAT)[before]!;
    // Buttons here: the notice says to tap them, never to type a number.
    expect(notice.params.text).toBe('郑八同志：请报名参加组织员培训班。\n\n请点按下方按钮回复：报名，或不参加。');
    const buttons = (notice.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(['报名', '不参加']);
    expect((await postUpdate(t.app.url, callbackUpdate(TG_CHAT, buttons[0]!.callback_data, { queryId: 'q-bc-1' }), SECRET)).status).toBe(200);
    await bot.waitFor(() => bot.sent(TG_CHAT).some((c) => String(c.params.text).includes('已报名')), 10_000, 'the enrolment answer');
    expect(bot.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === 'q-bc-1')).toBe(true);

    // Text here: the notice asks for a number or the word, and lists the numbered choices once.
    const cs = wx.callsTo('/cgi-bin/message/custom/send').map((c) => (c.body as { text?: { content?: string } }).text?.content ?? '');
    expect(cs.filter((b) => b.startsWith('冯九同志：'))).toEqual(['冯九同志：请报名参加组织员培训班。\n\n回复编号（1 报名，2 不参加），也可直接回复“报名”或“不参加”：\n1. 报名\n2. 不参加']);
    const answer = await oa.text(OPENID, '1');
    const said = [answer.text ?? '', ...wx.callsTo('/cgi-bin/message/custom/send').map((c) => JSON.stringify(c.body))].join('\n');
    expect(said).toContain('已报名');

    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 2, waiting: 0, decline: 0 });
    expect((await t.api('GET', `/training/sessions/${session.body.id}`, token)).body).toMatchObject({ enrolled: 2 });
  });

  it('outside the 48-hour window a WeChat notice goes as the configured template message', async () => {
    const templatesBefore = wx.callsTo('/cgi-bin/message/template/send').length;
    const csBefore = wx.callsTo('/cgi-bin/message/custom/send').length;
    t.clock.advance(49 * 3_600_000);
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：年检通知' }, segment: { region: '320114', channels: ['wechat-oa'] } })).body.id as string;
    const dry = (await t.api('POST', `/broadcasts/${id}/dry-run`, token)).body;
    expect(dry.byChannel).toEqual([expect.objectContaining({ channel: 'wechat-oa', recipients: 1, reachable: expect.objectContaining({ template: 1, window: 0 }) })]);
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
    expect(await until(id)).toMatchObject({ total: 1, counts: { sent: 1 } });
    const templates = wx.callsTo('/cgi-bin/message/template/send').slice(templatesBefore);
    expect(templates).toHaveLength(1);
    expect(templates[0]!.body).toMatchObject({ touser: OPENID, template_id: 'TPL_NOTICE' });
    expect(JSON.stringify(templates[0]!.body)).toContain('冯九：年检通知');
    expect(wx.callsTo('/cgi-bin/message/custom/send').length).toBe(csBefore);
  });
});
