import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/main.ts';
import { TestClock } from '../support/appHarness.ts';
import { startTestApp } from '../support/httpApp.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../channels/wechat-common/fakeWechatApi.ts';
import { AES_KEY, APP_ID, openidOf, TOKEN, wechatClient, wecomSignature } from '../channels/wechat-oa/harness.ts';

/**
 * The WeChat Official Account channel as main.ts wires it: enabled by its settings, on the real pipeline, with
 * pictures accepted where a step takes them, and progress notices going out through WeChat's API.
 */
let app: RunningApp;
let fake: FakeWechatApi;
const clock = new TestClock(new Date());

beforeAll(async () => {
  fake = await startFakeWechatApi();
  app = await startTestApp(
    'wechat_oa_wiring',
    { WECHAT_OA_APPID: APP_ID, WECHAT_OA_SECRET: 'secret-secret-secret-1234', WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_AES_KEY: AES_KEY, WECHAT_API_BASE: fake.url },
    { clock },
  );
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('WeChat Official Account wired into the app', () => {
  it('answers the URL verification and a safe-mode message with a passive reply', async () => {
    const wx = wechatClient(app.url, clock);
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const verified = await wx.verify({ signature: wecomSignature(TOKEN, timestamp, 'n1'), timestamp, nonce: 'n1', echostr: 'hello-echo' });
    expect(verified).toEqual({ status: 200, raw: 'hello-echo' });
    const reply = await wx.text(openidOf(1), '菜单');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('请选择要办理的事项');
    expect(reply.text).toContain('1. 注册');
  });

  it('is off when its settings are absent', async () => {
    const plain = await startTestApp('wechat_oa_off');
    try {
      expect((await fetch(`${plain.url}/wechat/oa`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
