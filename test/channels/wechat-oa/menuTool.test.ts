import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICK_COMMANDS, OA_MENU } from '../../../src/channels/wechat-oa/menu.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../wechat-common/fakeWechatApi.ts';

/** `npm run wechat:menu` (tools/wechat-menu.ts) against a fake WeChat API. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
let fake: FakeWechatApi;
beforeAll(async () => {
  fake = await startFakeWechatApi();
});
afterAll(() => fake.close());

describe('tools/wechat-menu.ts', () => {
  it('creates the menu with the CLICK keys the channel understands', async () => {
    const env = { ...process.env, WECHAT_OA_APPID: 'wx1234567890abcdef', WECHAT_OA_SECRET: 'secret-secret-secret', WECHAT_OA_TOKEN: 'tok123', WECHAT_API_BASE: fake.url, MONGODB_URI: '', LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/wechat-menu.ts'], { cwd: ROOT, env, timeout: 60_000 });
    expect(stdout).toContain('menu created');
    const [create] = fake.callsTo('/cgi-bin/menu/create');
    expect(create!.query.access_token).toBe(fake.validToken());
    expect(create!.body).toEqual(JSON.parse(JSON.stringify(OA_MENU)));
    const keys = JSON.stringify(create!.body).match(/"key":"([A-Z]+)"/g)!.map((k) => k.slice(7, -1));
    expect(keys.sort()).toEqual(['CERTS', 'DECLARE', 'HELP', 'PROFILE', 'REGISTER', 'STATUS']);
    for (const k of keys) expect(CLICK_COMMANDS.get(k)).toBeTruthy();
  });

  it('says what is missing without WECHAT_OA_APPID', async () => {
    const env = { ...process.env, WECHAT_OA_APPID: '', WECHAT_OA_SECRET: '', WECHAT_OA_TOKEN: '', WECHAT_API_BASE: fake.url };
    const err = (await run(process.execPath, ['--import', 'tsx', 'tools/wechat-menu.ts'], { cwd: ROOT, env, timeout: 60_000 }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('WECHAT_OA_APPID');
  });
});
