import { afterAll, describe, expect, it } from 'vitest';
import { expireConversations } from '../../src/app/housekeeping/expireConversations.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createAppInstance, TestClock } from '../support/appHarness.ts';
import { testDbUri } from '../support/db.ts';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('the idle-conversation job', () => {
  it('deletes conversations idle past retention and old dedupe records (left by earlier versions), keeps recent ones, and is idempotent', async () => {
    const clock = new TestClock();
    const app = await createAppInstance(testDbUri('expire_job'), { clock });
    closers.push(app.close);
    await app.say('old', '注册');
    // Turns keep their dedupe record in the conversation now; records of the separate log come from before.
    await app.inbox.claim('sim', 'legacy-old', clock.now());
    clock.advance(40 * 86_400_000);
    await app.say('recent', '注册');
    await app.inbox.claim('sim', 'legacy-recent', clock.now());
    const job = expireConversations({ conversations: app.conversations, inbox: app.inbox, clock, logger: createLogger('silent'), retentionMs: 30 * 86_400_000, dedupeTtlMs: 86_400_000 });
    expect(await job()).toEqual({ conversations: 1, inbound: 1 });
    expect(await job()).toEqual({ conversations: 0, inbound: 0 });
    // The old user starts afresh (welcome again); the recent one is still mid-registration.
    expect(await app.say('old', '张三')).toContain('您好');
    expect(await app.say('recent', '张三')).toContain('手机号码');
  });
});
