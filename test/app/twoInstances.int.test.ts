import { afterAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../support/engineHarness.ts';
import { createAppInstance, registrationScript } from '../support/appHarness.ts';
import { testDbUri } from '../support/db.ts';
import { conversationPosition as position, spreadOverInstances, type Deliver } from '../support/spreadOverInstances.ts';

/**
 * Two app instances on one database with every user's messages spread over both, each message delivered three
 * times at once (to one instance, a retry to the other, another to the first). bench:engine part 2d runs the same
 * at full size (1,000 users × 20 messages, app processes over HTTP); here it is scaled down to stay well inside a
 * minute on a loaded 2-core machine.
 */
const USERS = 30;
const COPIES = 3;
const idFor = (n: number) => makeIdNumber('320102', '19850312', String(n).padStart(3, '0'));
const scriptFor = (n: number) => [...registrationScript(idFor(n)), '确认'];
const userOf = (n: number) => `spread-${n}`;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});
async function instance(uri: string) {
  const app = await createAppInstance(uri);
  closers.push(app.close);
  return app;
}

describe('two app instances on one database', () => {
  it(`loses and doubles no answer with ${USERS} users × 20 messages spread over both, and ends every conversation where one instance does`, async () => {
    // The reference: one user alone on one instance.
    const single = await instance(testDbUri('spread_single'));
    const refId = makeIdNumber('320102', '19850312', '999');
    for (const text of [...registrationScript(refId), '确认']) await single.say('ref', text);
    const reference = position(await single.conversations.acquire('sim', 'ref', 'inspect', single.clock.now(), 1000), refId);
    expect(reference.version).toBe(20);

    const uri = testDbUri('spread_two');
    const apps = [await instance(uri), await instance(uri)];
    const deliver: Deliver = async (i, userId, messageId, text) => {
      const r = await apps[i]!.handle({ channel: 'sim', userId, messageId, input: { type: 'text', text } });
      const replies = r.replies.map((x) => x.text);
      const said = replies.join('\n');
      const failure = r.overloaded ? 'overloaded' : said.includes('上一条消息还在处理中') ? 'busy' : said.includes('系统暂时出现问题') ? 'internal error' : undefined;
      return { replies, duplicate: r.duplicate, ...(failure ? { failure } : {}) };
    };
    const report = await spreadOverInstances(deliver, { users: USERS, instances: 2, copies: COPIES, concurrentUsers: USERS, userId: userOf, script: scriptFor });

    expect(report.messages).toBe(USERS * 20);
    expect(report.failures).toEqual([]);
    expect(report.lost).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(report.mismatched).toEqual([]);
    for (let n = 0; n < USERS; n++) {
      const state = await apps[n % 2]!.conversations.acquire('sim', userOf(n), 'inspect', apps[0]!.clock.now(), 1000);
      expect(position(state, idFor(n)), userOf(n)).toEqual(reference);
      expect(report.lastReplies.get(userOf(n))?.join('\n'), userOf(n)).toContain('注册成功');
      expect((await apps[0]!.workers.findByAccount('sim', userOf(n)))?.idNumber).toBe(idFor(n));
    }
  }, 90_000);
});
