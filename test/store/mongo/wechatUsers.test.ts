import type { Connection } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongoWechatUsers } from '../../../src/store/mongo/wechatUsers.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';

/** Customer-service window and quota bookkeeping in `wechat_users`, on the real test database. */
const connections: Connection[] = [];
afterAll(async () => {
  for (const c of connections) await c.close();
});
async function users(tag: string, opts: { templates?: boolean; instances?: number } = {}) {
  const uri = testDbUri(tag);
  const made = [];
  for (let i = 0; i < (opts.instances ?? 1); i++) {
    const c = await connectMongo(uri);
    connections.push(c);
    made.push(createMongoWechatUsers(c, { appId: 'wx1234567890abcdef', csWindowHours: 48, csQuota: 5, templatesConfigured: opts.templates ?? true }));
  }
  return made;
}
const H = 3_600_000;

describe('wechat_users: window and quota', () => {
  it('a message opens a 48-hour window with 5 customer-service messages; the sixth is refused', async () => {
    const [u] = await users('wx_users_quota');
    const clock = new TestClock();
    expect(await u!.reachability('openid_aaaa', clock.now())).toEqual({ canSendCs: false, remaining: 0, windowEndsAt: null, viaTemplate: true });
    await u!.touchInbound('openid_aaaa', clock.now());
    const r = await u!.reachability('openid_aaaa', clock.now());
    expect(r).toEqual({ canSendCs: true, remaining: 5, windowEndsAt: new Date(clock.now().getTime() + 48 * H), viaTemplate: false });
    for (let i = 0; i < 5; i++) expect(await u!.reserveCs('openid_aaaa', clock.now())).toBe(true);
    expect(await u!.reserveCs('openid_aaaa', clock.now())).toBe(false);
    expect(await u!.reachability('openid_aaaa', clock.now())).toMatchObject({ canSendCs: false, remaining: 0, viaTemplate: true });
    // The next message from the user opens a new window with a fresh quota.
    clock.advance(2 * 60_000);
    await u!.touchInbound('openid_aaaa', clock.now());
    expect(await u!.reachability('openid_aaaa', clock.now())).toMatchObject({ canSendCs: true, remaining: 5 });
  });

  it('the window closes after 48 hours; released units come back; multi-unit reservations are all or nothing', async () => {
    const [u] = await users('wx_users_window', { templates: false });
    const clock = new TestClock();
    await u!.touchInbound('openid_bbbb', clock.now());
    expect(await u!.reserveCs('openid_bbbb', clock.now(), 4)).toBe(true);
    expect(await u!.reserveCs('openid_bbbb', clock.now(), 2)).toBe(false);
    await u!.releaseCs('openid_bbbb', clock.now(), 2);
    expect((await u!.reachability('openid_bbbb', clock.now())).remaining).toBe(3);
    clock.advance(48 * H + 1000);
    expect(await u!.reserveCs('openid_bbbb', clock.now())).toBe(false);
    expect(await u!.reachability('openid_bbbb', clock.now())).toMatchObject({ canSendCs: false, remaining: 0, viaTemplate: false });
  });

  it('never exceeds the quota when several instances reserve at once', async () => {
    const [a, b] = await users('wx_users_race', { instances: 2 });
    const now = new TestClock().now();
    await a!.touchInbound('openid_cccc', now);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).reserveCs('openid_cccc', now)));
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it('records 45015 (window closed), 45047 (quota used up) and 43004 (unsubscribed)', async () => {
    const [u] = await users('wx_users_errors');
    const now = new TestClock().now();
    await u!.touchInbound('openid_dddd', now);
    await u!.recordError('openid_dddd', 45015, 'response out of time limit', now);
    expect(await u!.reachability('openid_dddd', now)).toMatchObject({ canSendCs: false, viaTemplate: true });
    expect((await u!.get('openid_dddd'))?.lastError).toMatchObject({ code: 45015 });

    await u!.touchInbound('openid_eeee', now);
    await u!.recordError('openid_eeee', 45047, 'out of response count limit', now);
    expect(await u!.reachability('openid_eeee', now)).toMatchObject({ canSendCs: false, remaining: 0, viaTemplate: true });

    await u!.touchInbound('openid_ffff', now);
    await u!.recordError('openid_ffff', 43004, 'require subscribe', now);
    expect(await u!.reachability('openid_ffff', now)).toEqual({ canSendCs: false, remaining: 0, windowEndsAt: null, viaTemplate: false });
    expect(await u!.get('openid_ffff')).toMatchObject({ subscribed: false, lastError: { code: 43004 } });
    expect(await u!.reserveCs('openid_ffff', now)).toBe(false);
    // Following again makes the user reachable again.
    await u!.markSubscribed('openid_ffff', now);
    await u!.touchInbound('openid_ffff', new Date(now.getTime() + 120_000));
    expect(await u!.reachability('openid_ffff', now)).toMatchObject({ canSendCs: true });
  });

  it('refuses strings that are not openids before any query', async () => {
    const [u] = await users('wx_users_invalid');
    await expect(u!.touchInbound('{"$gt":""}', new Date())).rejects.toThrow(/not a WeChat openid/);
    await expect(u!.reachability('../x', new Date())).rejects.toThrow(/not a WeChat openid/);
  });
});
