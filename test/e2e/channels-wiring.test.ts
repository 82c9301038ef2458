import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/main.ts';
import { startTestApp } from '../support/httpApp.ts';
import { FakeBotApi } from '../channels/telegram/fakeBotApi.ts';
import { postUpdate, textUpdate } from '../channels/telegram/updates.ts';
import { FakeWechatApi } from '../channels/wechat-mp/fakeWechatApi.ts';

/** Telegram and the WeChat mini program as main.ts wires them: on by their settings, through the real pipeline. */
const BOT_TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';
const SECRET = 'webhook-secret-0123456789';
const MP_APPID = 'wx0123456789abcdef';
let app: RunningApp;
let bot: FakeBotApi;
let wx: FakeWechatApi;

beforeAll(async () => {
  bot = await new FakeBotApi(BOT_TOKEN).start();
  wx = await new FakeWechatApi(MP_APPID, 'mp-secret-0123456789abcd').start();
  app = await startTestApp('channels_wiring', {
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_BASE: bot.url,
    WECHAT_MP_APPID: MP_APPID,
    WECHAT_MP_SECRET: 'mp-secret-0123456789abcd',
    WECHAT_API_BASE: wx.url,
  });
});
afterAll(async () => {
  await app?.stop();
  await bot?.stop();
  await wx?.stop();
});

describe('channels wired into the app', () => {
  it('Telegram: refuses a wrong secret, answers a message with an inline keyboard', async () => {
    expect((await postUpdate(app.url, textUpdate(4242, '菜单'), 'wrong-secret-0123456789')).status).toBe(401);
    expect((await postUpdate(app.url, textUpdate(4242, '菜单'), SECRET)).status).toBe(200);
    await bot.waitFor(() => bot.calls.some((c) => c.method === 'sendMessage'), 10_000, 'a sendMessage');
    const sent = bot.calls.find((c) => c.method === 'sendMessage')!;
    expect(String(sent.params.text)).toContain('请选择要办理的事项');
    expect(JSON.stringify(sent.params.reply_markup)).toContain('注册');
  });

  it('mini program: logs in with a code and takes a turn', async () => {
    const login = await fetch(`${app.url}/mp/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'good-alice' }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const turn = await fetch(`${app.url}/mp/api/turn`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: '菜单' }) });
    expect(turn.status).toBe(200);
    const body = (await turn.json()) as { replies: { text: string }[] };
    expect(body.replies.map((r) => r.text).join('\n')).toContain('请选择要办理的事项');
    expect((await fetch(`${app.url}/mp/api/openapi.json`)).status).toBe(200);
  });
});
