import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../channels/wechat-common/fakeWechatApi.ts';
import { AES_KEY, APP_ID, openidOf, TOKEN, wechatClient } from '../channels/wechat-oa/harness.ts';
import { FakeBotApi } from '../channels/telegram/fakeBotApi.ts';
import { callbackUpdate, postUpdate, textUpdate } from '../channels/telegram/updates.ts';
import { FakeWechatApi as FakeMpApi } from '../channels/wechat-mp/fakeWechatApi.ts';
import { content, makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';
import { createPoll, pinghuApplication } from './pollSupport.ts';

/** The poll's entries on the real channels against their fake platforms: WeChat QR scenes, Telegram, mini program. */
const BOT_TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';
const SECRET = 'webhook-secret-0123456789';
const MP_APPID = 'wx0123456789abcdef';

describe('WeChat Official Account', () => {
  let r: AdminApiApp;
  let fake: FakeWechatApi;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeWechatApi();
    r = await startAdminApiApp('poll_wechat', { env: { WECHAT_OA_APPID: APP_ID, WECHAT_OA_SECRET: 'secret-secret-secret-1234', WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_AES_KEY: AES_KEY, WECHAT_API_BASE: fake.url } });
    token = await r.token('平湖市两新工委', '330482');
  });
  afterAll(async () => {
    await r?.stop();
    await fake?.close();
  });

  it('gives each code a temporary parametric QR code whose scene opens the poll on SCAN and on subscribe', async () => {
    let ticket = 0;
    fake.answerWith('/cgi-bin/qrcode/create', (call) => ({ json: { ticket: `T${++ticket}`, expire_seconds: call.body.expire_seconds, url: `http://weixin.qq.com/q/${String((call.body.action_info as { scene: { scene_str: string } }).scene.scene_str)}` } }));
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 1, employee: 2 });
    const calls = fake.callsTo('/cgi-bin/qrcode/create');
    expect(calls.map((c) => c.body.action_name)).toEqual(['QR_STR_SCENE', 'QR_STR_SCENE', 'QR_STR_SCENE']);
    expect(calls.map((c) => (c.body.action_info as { scene: { scene_str: string } }).scene.scene_str).sort()).toEqual(poll.codes.map((c) => `poll_${c.code}`).sort());
    // Until the poll closes on 2026-03-20 (the test clock is at 2026-03-01T02:00Z).
    expect(calls[0]!.body.expire_seconds).toBe((Date.parse('2026-03-20T00:00:00Z') - Date.parse('2026-03-01T02:00:00Z')) / 1000);
    expect(poll.codes[0]).toMatchObject({ wechatQrUrl: `http://weixin.qq.com/q/poll_${poll.codes[0]!.code}` });
    // No mini program here: no path to its page.
    for (const c of poll.codes) expect(c).not.toHaveProperty('miniProgramPath');

    const wx = wechatClient(r.app.url, r.clock);
    const followed = await wx.event(openidOf('poll1'), 'subscribe', `qrscene_poll_${poll.codes[0]!.code}`);
    expect(followed.text).toContain('满意度测评');
    expect(followed.text).toContain('1. 很满意');
    const scanned = await wx.event(openidOf('poll2'), 'SCAN', `poll_${poll.codes[1]!.code}`);
    expect(scanned.text).toContain('满意度测评');
    expect((await wx.text(openidOf('poll2'), '1')).text).toContain('工作作风');
    await wx.text(openidOf('poll2'), '1');
    await wx.text(openidOf('poll2'), '跳过');
    expect((await wx.text(openidOf('poll2'), '提交')).text).toBe('已提交，感谢参与。您的回答是匿名的。');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
  });

  it('regression: the questionnaire\'s numbered options were listed twice on WeChat', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 1 });
    const wx = wechatClient(r.app.url, r.clock);
    const first = (await wx.text(openidOf('poll-twice'), `测评 ${poll.codes[0]!.code}`)).text;
    const second = (await wx.text(openidOf('poll-twice'), '1')).text;
    for (const shown of [first, second]) {
      // Once each, under one "回复编号", and in order.
      expect(shown?.match(/^\d\. .+$/gm)).toEqual(['1. 很满意', '2. 比较满意', '3. 一般', '4. 不满意']);
      expect(shown?.match(/回复编号/g)).toHaveLength(1);
    }
  });
});

describe('Telegram and the mini program', () => {
  let r: AdminApiApp;
  let bot: FakeBotApi;
  let mp: FakeMpApi;
  let token: string;
  beforeAll(async () => {
    bot = await new FakeBotApi(BOT_TOKEN).start();
    mp = await new FakeMpApi(MP_APPID, 'mp-secret-0123456789abcd').start();
    r = await startAdminApiApp('poll_tg_mp', { env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: bot.url, TELEGRAM_PER_CHAT_PER_SECOND: '30', WECHAT_MP_APPID: MP_APPID, WECHAT_MP_SECRET: 'mp-secret-0123456789abcd', WECHAT_API_BASE: mp.url } });
    token = await r.token('平湖市两新工委', '330482');
  });
  afterAll(async () => {
    await r?.stop();
    await bot?.stop();
    await mp?.stop();
  });

  /** Posts one update for `chat` and waits for a message to it containing `expected`; returns those sent since. */
  async function tgStep(chat: number, update: unknown, expected: string) {
    const sentSince = (from: number) => bot.calls.slice(from).filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chat));
    const from = bot.calls.length;
    expect((await postUpdate(r.app.url, update, SECRET)).status).toBe(200);
    await bot.waitFor(() => sentSince(from).some((c) => String(c.params.text).includes(expected)), 10_000, expected).catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(sentSince(from).map((c) => c.params.text))}`); });
    return sentSince(from);
  }

  it('Telegram: the deep link /start poll_<code> opens the poll with the options as buttons', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    expect((await postUpdate(r.app.url, textUpdate(5151, `/start poll_${poll.codes[0]!.code}`), SECRET)).status).toBe(200);
    await bot.waitFor(() => bot.calls.some((c) => c.method === 'sendMessage' && String(c.params.text).includes('满意度测评')), 10_000, 'the poll intro');
    const sent = bot.calls.find((c) => c.method === 'sendMessage' && String(c.params.text).includes('满意度测评'))!;
    expect(JSON.stringify(sent.params.reply_markup)).toContain('很满意');
  });

  it('regression: a Telegram respondent tapping the poll\'s buttons was told the code was not found (a button\'s poll:<option> read as a typed code)', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const chat = 5252;
    const step = async (update: unknown, expected: string) => (await tgStep(chat, update, expected)).map((c) => String(c.params.text)).join('\n');
    await step(textUpdate(chat, `/start poll_${poll.codes[0]!.code}`), '满意度测评');
    // The buttons as Telegram sends them back: their callback_data.
    expect(await step(callbackUpdate(chat, 'poll:veryPleased'), '工作作风')).not.toContain('没有找到');
    expect(await step(callbackUpdate(chat, 'poll:pleased'), '意见或建议')).not.toContain('没有找到');
    await step(textUpdate(chat, '跳过'), '请核对您的回答');
    expect(await step(callbackUpdate(chat, 'poll:submit'), '已提交')).toContain('已提交，感谢参与。您的回答是匿名的。');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.answered).toEqual({ owner: 0, member: 0, employee: 1 });
  });

  it('regression: on Telegram a second tap on 提交 after the answer was counted got "没有理解" and the menu; it says the answer is recorded, the tap answered', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const chat = 5454;
    const step = async (update: unknown, expected: string) => (await tgStep(chat, update, expected)).find((c) => String(c.params.text).includes(expected))!;
    const buttonOf = (sent: { params: Record<string, unknown> }, label: string) =>
      (sent.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat().find((b) => b.text === label)!.callback_data;
    const intro = await step(textUpdate(chat, `/start poll_${poll.codes[0]!.code}`), '满意度测评');
    const second = await step(callbackUpdate(chat, buttonOf(intro, '很满意')), '工作作风');
    await step(callbackUpdate(chat, buttonOf(second, '很满意')), '意见或建议');
    const summary = await step(textUpdate(chat, '跳过'), '请核对您的回答');
    const submit = buttonOf(summary, '提交');
    expect(submit.startsWith(`poll:${poll.id}:`)).toBe(true);
    await step(callbackUpdate(chat, submit), '已提交');
    const again = await step(callbackUpdate(chat, submit, { queryId: 'stale-submit' }), '您的回答已经记录');
    expect(String(again.params.text)).not.toContain('没有理解');
    await bot.waitFor(() => bot.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === 'stale-submit'), 10_000, 'the stale tap answered');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
  });

  it('Telegram: a deep link opened halfway through registration ends with the registration question again, and registration finishes', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const t = (key: string, params?: Record<string, unknown>) => content().translator.t('zh-CN', key, params);
    const chat = 5353;
    /** Sends one message and waits for the reply that contains `expected`; returns the texts sent since. */
    const tg = async (text: string, expected: string): Promise<string[]> => {
      const from = bot.sent(chat).length;
      expect((await postUpdate(r.app.url, textUpdate(chat, text), SECRET)).status).toBe(200);
      const since = () => bot.sent(chat).slice(from).map((c) => String(c.params.text));
      await bot.waitFor(() => since().some((x) => x.includes(expected)), 10_000, `a reply to ${text} with ${expected}`);
      return since();
    };
    const script = registrationAnswers(makeIdNumber('320102', '19850312', '521'));
    const at = script.findIndex(([id]) => id === 'idNumber');
    await tg('注册', t('registration:name.prompt'));
    await tg(script[0]![1], t('registration:mobile.prompt'));
    expect(script[at - 1]![0]).toBe('mobile');
    await tg(script[at - 1]![1], t('registration:idNumber.prompt'));
    await tg(`/start poll_${poll.codes[0]!.code}`, '满意度测评');
    await tg('1', '工作作风');
    await tg('2', '意见或建议');
    await tg('跳过', '请核对您的回答');
    const back = await tg('提交', t('registration:idNumber.prompt'));
    // Telegram sends a turn's replies as one message.
    expect(back).toEqual([[t('polls:thanks'), t('common:backToFlow', { title: t('registration:title') }), t('registration:idNumber.prompt')].join('\n\n')]);
    const rest = script.slice(at);
    // Each reply waited for (any text: one turn is one message here); the one after the last answer is the summary.
    for (const [i, [, text]] of rest.entries()) await tg(text, i === rest.length - 1 ? '张三' : '');
    await tg('确认', t('registration:done.text'));
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
  });

  it('regression: the codes gave no mini program page path (pages/poll/index?code=<code>) with the mini program on; the CSV keeps its four columns', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 1, employee: 2 });
    expect(poll.codes).toHaveLength(3);
    for (const c of poll.codes) expect(c).toMatchObject({ miniProgramPath: `pages/poll/index?code=${c.code}` });
    const csv = await r.api('GET', `/polls/${poll.id}/codes?format=csv&lang=en`, token);
    const rows = csv.raw.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(rows[0]).toBe('Group,Code,Link,Group id');
    for (const row of rows.slice(1)) expect(row.split(',')).toHaveLength(4);
  });

  it('mini program: the poll page (pages/poll/index?code=<code>) sends poll_<code> as its first turn', async () => {
    const { app } = await pinghuApplication(r);
    const poll = await createPoll(r, token, app.id, { owner: 0, member: 0, employee: 3 });
    const login = await fetch(`${r.app.url}/mp/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'good-pollster' }) });
    const { token: session } = (await login.json()) as { token: string };
    const send = async (body: { text: string } | { choiceId: string }) => {
      const res = await fetch(`${r.app.url}/mp/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` }, body: JSON.stringify(body) });
      return ((await res.json()) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
    };
    const turn = (text: string) => send({ text });
    expect(await turn(`poll_${poll.codes[0]!.code}`)).toContain('满意度测评');
    await turn('1');
    // A tapped button comes back as its choice id (regression: read as `poll <code>`, an unknown code).
    expect(await send({ choiceId: 'poll:pleased' })).toContain('意见或建议');
    await turn('跳过');
    expect(await send({ choiceId: 'poll:submit' })).toBe('已提交，感谢参与。您的回答是匿名的。');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
    // The button tapped again (a second message): recorded already, counted once.
    expect(await send({ choiceId: `poll:${poll.id}:submit` })).toBe('您的回答已经记录，不会重复计入。感谢参与。');
    expect((await r.api('GET', `/polls/${poll.id}`, token)).body.total.answered).toBe(1);
  });
});
