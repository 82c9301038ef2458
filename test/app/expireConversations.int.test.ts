import { afterAll, describe, expect, it } from 'vitest';
import { expireConversations } from '../../src/app/housekeeping/expireConversations.ts';
import { createFunnelRecorder } from '../../src/app/funnels/recorder.ts';
import type { FunnelCounterStore, FunnelCounts, FunnelKey } from '../../src/app/ports/funnel.ts';
import { noFunnel } from '../../src/app/ports/funnel.ts';
import { chinaDate } from '../../src/domain/dates/parseDate.ts';
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
    const job = expireConversations({ conversations: app.conversations, inbox: app.inbox, clock, logger: createLogger('silent'), retentionMs: 30 * 86_400_000, dedupeTtlMs: 86_400_000, funnel: noFunnel });
    expect(await job()).toEqual({ conversations: 1, inbound: 1 });
    expect(await job()).toEqual({ conversations: 0, inbound: 0 });
    // The old user starts afresh (welcome again); the recent one is still mid-registration.
    expect(await app.say('old', '张三')).toContain('您好');
    expect(await app.say('recent', '张三')).toContain('手机号码');
  });

  it('regression: users who never came back were never counted as timed out in the funnel', async () => {
    const clock = new TestClock();
    const app = await createAppInstance(testDbUri('expire_funnel'), { clock });
    closers.push(app.close);
    const written: (FunnelKey & FunnelCounts)[] = [];
    const store: FunnelCounterStore = { add: async (d) => void written.push(...d), read: async () => [], versions: async () => [] };
    const funnel = createFunnelRecorder({ store, sessionTimeoutMs: 30 * 60_000, flushEveryMs: 3_600_000, logger: createLogger('silent') });
    closers.push(() => funnel.stop());
    // One user stops at the mobile question; another finishes nothing either but is still within retention.
    await app.say('quiet', '注册');
    expect(await app.say('quiet', '张三')).toContain('手机号码');
    const wentQuiet = chinaDate(clock.now());
    clock.advance(20 * 86_400_000);
    await app.say('recent', '注册');
    clock.advance(11 * 86_400_000);
    const job = expireConversations({ conversations: app.conversations, inbox: app.inbox, clock, logger: createLogger('silent'), retentionMs: 30 * 86_400_000, dedupeTtlMs: 86_400_000, funnel });
    expect((await job()).conversations).toBe(1);
    expect((await job()).conversations).toBe(0);
    await funnel.flush();
    expect(written).toEqual([expect.objectContaining({ flowId: 'registration', stepId: 'mobile', day: wentQuiet, timedOut: 1, reached: 0, answered: 0 })]);
  });
});
