import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../support/engineHarness.ts';
import { createAppInstance, registrationScript, TestClock } from '../support/appHarness.ts';
import { testDbUri } from '../support/db.ts';
import type { InboundMessage } from '../../src/app/handleInbound.ts';
import type { TurnTiming } from '../../src/app/turnTimings.ts';

/** Integration tests of the inbound pipeline over the real embedded database (no mocks below the use case). */
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});
async function instance(uri: string, opts: Parameters<typeof createAppInstance>[1] = {}) {
  const app = await createAppInstance(uri, opts);
  closers.push(app.close);
  return app;
}

describe('handleInbound with the embedded database', () => {
  it('keeps the conversation between messages and across app instances (persistence)', async () => {
    const uri = testDbUri('inbound_persist');
    const a = await instance(uri);
    expect(await a.say('p1', '注册')).toContain('请输入您的姓名');
    expect(await a.say('p1', '张三')).toContain('手机号码');
    // A second instance on the same database continues the same conversation.
    const b = await instance(uri);
    expect(await b.say('p1', '13812345678')).toContain('身份证号码');
  });

  it('completes registration and stores the worker; the same ID from another account is refused', async () => {
    const a = await instance(testDbUri('inbound_register'));
    const id = makeIdNumber('320102', '19850312', '321');
    for (const text of registrationScript(id)) await a.say('r1', text);
    expect(await a.say('r1', '确认')).toContain('注册成功');
    const worker = await a.workers.findByAccount('sim', 'r1');
    expect(worker).toMatchObject({ name: '张三', idNumber: id, regionCode: '320102', gender: 'male', birthDate: '1985-03-12' });
    // Refused as soon as the ID number is typed, not at the summary.
    const script = registrationScript(id, '李四');
    for (const text of script.slice(0, script.indexOf(id))) await a.say('r2', text);
    expect(await a.say('r2', id)).toContain('已由其他账号登记');
    expect(await a.workers.findByAccount('sim', 'r2')).toBeNull();
  });

  it('regression: a worker who switched to English was still sent pushes in Chinese (the choice was not kept)', async () => {
    const a = await instance(testDbUri('inbound_locale'));
    for (const text of registrationScript(makeIdNumber('320102', '19850312', '654'))) await a.say('l1', text);
    await a.say('l1', '确认');
    expect((await a.workers.findByAccount('sim', 'l1'))?.locale).toBe('zh-CN');
    await a.say('l1', 'english');
    expect((await a.workers.findByAccount('sim', 'l1'))?.locale).toBe('en');
    await a.say('l1', '中文');
    expect((await a.workers.findByAccount('sim', 'l1'))?.locale).toBe('zh-CN');
  });

  it('processes a repeated messageId once and answers the repeat with the same replies', async () => {
    const a = await instance(testDbUri('inbound_dedupe'));
    await a.say('d1', '注册');
    const first = await a.handle({ channel: 'sim', userId: 'd1', messageId: 'same', input: { type: 'text', text: '张三' } });
    const again = await a.handle({ channel: 'sim', userId: 'd1', messageId: 'same', input: { type: 'text', text: '张三' } });
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(first.replies);
    // Had the repeat run, the bot would now be past the mobile question.
    expect(await a.say('d1', '13812345678')).toContain('身份证号码');
  });

  it('answers a repeat that arrives while the first delivery is still running, without a second turn', async () => {
    const a = await instance(testDbUri('inbound_dedupe_inflight'), {
      actions: (base) => ({
        ...base,
        'worker.profile': async (args, ctx) => {
          await new Promise((r) => setTimeout(r, 300)); // a slow action keeps the first delivery busy
          return base['worker.profile']!(args, ctx);
        },
      }),
    });
    const msg = { channel: 'sim', userId: 'd2', messageId: 'slow-1', input: { type: 'text' as const, text: '注册' } };
    const first = a.handle(msg);
    await new Promise((r) => setTimeout(r, 50));
    const repeat = await a.handle(msg);
    const original = await first;
    expect(original.duplicate).toBe(false);
    expect(repeat).toEqual({ replies: original.replies, duplicate: true });
    expect(original.replies.map((r) => r.text).join()).toContain('请输入您的姓名');
    const state = await a.conversations.acquire('sim', 'd2', 'inspect', a.clock.now(), 1000);
    expect(state?.version).toBe(1); // one turn, not two
  });

  it('gives an old repeated message (not the last one) no replies and runs nothing', async () => {
    const a = await instance(testDbUri('inbound_dedupe_old'));
    await a.handle({ channel: 'sim', userId: 'd3', messageId: 'old-1', input: { type: 'text', text: '注册' } });
    await a.say('d3', '张三');
    const repeat = await a.handle({ channel: 'sim', userId: 'd3', messageId: 'old-1', input: { type: 'text', text: '注册' } });
    expect(repeat).toEqual({ replies: [], duplicate: true });
    expect(await a.say('d3', '13812345678')).toContain('身份证号码');
  });

  it('serialises two concurrent messages of one user: both answered, none lost or doubled', async () => {
    const a = await instance(testDbUri('inbound_concurrent'));
    await a.say('c1', '注册');
    // Two names at once: whichever runs first is the name; the other then answers the mobile question and is
    // refused as a mobile number. Either order gives the same shape, never a lost or doubled turn.
    const [r1, r2] = await Promise.all([a.say('c1', '张三'), a.say('c1', '李四')]);
    const replies = [r1, r2];
    expect(replies.filter((r) => r.includes('请输入您的手机号码'))).toHaveLength(1);
    expect(replies.filter((r) => r.includes('手机号格式不正确'))).toHaveLength(1);
    const state = await a.conversations.acquire('sim', 'c1', 'inspect', a.clock.now(), 1000);
    expect(state?.stepId).toBe('mobile');
    expect(state?.history.map((h) => h.stepId)).toEqual(['name']);
    expect(['张三', '李四']).toContain(state?.answers.name);
    expect(state?.version).toBe(3);
  });

  it('serialises one user across two app instances on one database', async () => {
    const uri = testDbUri('inbound_two_instances');
    const a = await instance(uri);
    const b = await instance(uri);
    await a.say('x1', '注册');
    // Ten answers to the name question, half through each instance, all at once: each must be one turn.
    const texts = Array.from({ length: 10 }, (_, i) => `名字${'一二三四五六七八九十'[i]}`);
    await Promise.all(texts.map((t, i) => (i % 2 ? a : b).say('x1', t)));
    const state = await a.conversations.acquire('sim', 'x1', 'inspect', a.clock.now(), 1000);
    // 1 (注册) + 10 turns, each committed exactly once.
    expect(state?.version).toBe(11);
    expect(state?.retries).toBeGreaterThan(0); // names were answered once; the rest were rejected as mobiles
  });

  it('refuses a message beyond the turn backlog with the "send it again" reply, storing nothing, and takes it once there is room', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const a = await instance(testDbUri('inbound_overload'), {
      settings: { maxRunningTurns: 1, maxWaitingTurns: 1 },
      actions: (base) => ({
        ...base,
        'worker.profile': async (args, ctx) => {
          await held; // the first turn holds the only slot until the test lets it go
          return base['worker.profile']!(args, ctx);
        },
      }),
    });
    // The gate takes a slot (or a place in line) synchronously inside handle(), so the order here is the order there.
    const running = a.handle({ channel: 'sim', userId: 'o1', messageId: 'o1-1', input: { type: 'text', text: '注册' } });
    const waiting = a.handle({ channel: 'sim', userId: 'o2', messageId: 'o2-1', input: { type: 'text', text: '注册' } });
    const refused = await a.handle({ channel: 'sim', userId: 'o3', messageId: 'o3-1', input: { type: 'text', text: '注册' } });
    expect(refused).toMatchObject({ overloaded: true, duplicate: false });
    expect(refused.replies.map((r) => r.text).join()).toContain('请过一会儿再发一次');
    expect(await a.connection.db!.collection('conversations').countDocuments({ _id: 'sim:o3' as never })).toBe(0);
    release();
    expect((await running).replies.map((r) => r.text).join()).toContain('请输入您的姓名');
    expect((await waiting).replies.map((r) => r.text).join()).toContain('请输入您的姓名');
    // The same message again, now that there is room: handled as new, not taken for a repeat.
    const again = await a.handle({ channel: 'sim', userId: 'o3', messageId: 'o3-1', input: { type: 'text', text: '注册' } });
    expect(again.duplicate).toBe(false);
    expect(again.replies.map((r) => r.text).join()).toContain('请输入您的姓名');
  });

  it('answers a message outside the turn in the outside lane while the turns fill their slots, and in a turn slot without that lane', async () => {
    const answered: string[] = [];
    const run = async (name: string, outsideSlots: number | undefined) => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const outsideTurn = Object.assign(async (msg: InboundMessage) => (msg.input.type === 'text' && msg.input.text === 'outside' ? [{ text: 'answered outside' }] : null), {
        mayAnswer: (msg: InboundMessage) => msg.input.type === 'text' && msg.input.text === 'outside',
      });
      const a = await instance(testDbUri(name), {
        settings: { maxRunningTurns: 1, ...(outsideSlots ? { maxRunningOutsideTurns: outsideSlots } : {}) },
        intercept: { outsideTurn },
        actions: (base) => ({
          ...base,
          'worker.profile': async (args, ctx) => {
            await held; // the turn holds the only turn slot until the test lets it go
            return base['worker.profile']!(args, ctx);
          },
        }),
      });
      const turn = a.handle({ channel: 'sim', userId: 'l1', messageId: 'l1-1', input: { type: 'text', text: '注册' } }).then((r) => {
        answered.push(`${name}: turn`);
        return r;
      });
      const outside = a.handle({ channel: 'sim', userId: 'l2', messageId: 'l2-1', input: { type: 'text', text: 'outside' } }).then((r) => {
        answered.push(`${name}: outside`);
        return r;
      });
      // With its own lane the outside answer needs nothing of the held turn; without it, it waits for the slot.
      if (outsideSlots) expect((await outside).replies).toEqual([{ text: 'answered outside' }]);
      release();
      await Promise.all([turn, outside]);
    };
    await run('inbound_lane_outside', 4);
    await run('inbound_lane_shared', undefined);
    expect(answered).toEqual(['inbound_lane_outside: outside', 'inbound_lane_outside: turn', 'inbound_lane_shared: turn', 'inbound_lane_shared: outside']);
  });

  it('offers to resume or restart after the idle timeout, and resumes where the user left off', async () => {
    const clock = new TestClock();
    const a = await instance(testDbUri('inbound_idle'), { clock });
    await a.say('i1', '注册');
    await a.say('i1', '张三');
    clock.advance(31 * 60_000);
    const offer = await a.say('i1', '你好'); // not a mobile number: offered, not taken as the answer
    expect(offer).toContain('欢迎回来');
    expect(await a.say('i1', '继续')).toContain('手机号码');
    expect(await a.say('i1', '13812345678')).toContain('身份证号码');
    clock.advance(31 * 60_000);
    await a.say('i1', 'hello');
    expect(await a.say('i1', '重新开始')).toContain('请输入您的姓名');
  });

  it('leaves the conversation unchanged when an action fails (nothing half-written)', async () => {
    const a = await instance(testDbUri('inbound_failure'), {
      actions: (base) => ({ ...base, 'worker.register': async () => { throw new Error('database went away'); } }),
    });
    for (const text of registrationScript(makeIdNumber('320102', '19850312', '555'))) await a.say('f1', text);
    expect(await a.say('f1', '确认')).toContain('您填写的内容已保留');
    expect(await a.workers.findByAccount('sim', 'f1')).toBeNull();
    // The turn was not saved: the user is still at the summary with every answer, and can confirm again.
    const state = await a.conversations.acquire('sim', 'f1', 'inspect', a.clock.now(), 1000);
    expect(state?.stepId).toBe('summary');
    expect(state?.answers).toMatchObject({ name: '张三', orgName: '某某科技有限公司' });
  });

  it('publishes each turn\'s phases on the redcollar:turn channel, by the path it took', async () => {
    const a = await instance(testDbUri('inbound_timings'));
    const seen: TurnTiming[] = [];
    const listener = (m: unknown) => {
      const t = m as TurnTiming;
      if (t.userId === 't1') seen.push({ ...t });
    };
    subscribe('redcollar:turn', listener);
    try {
      await a.say('t1', '注册'); // no state yet: dedupe and lease, then commit
      await a.handle({ channel: 'sim', userId: 't1', messageId: 'tm-2', input: { type: 'text', text: '张三' } }); // this instance wrote it last
      await a.handle({ channel: 'sim', userId: 't1', messageId: 'tm-2', input: { type: 'text', text: '张三' } });
    } finally {
      unsubscribe('redcollar:turn', listener);
    }
    expect(seen.map((t) => t.path)).toEqual(['lease', 'known', 'repeat']);
    for (const t of seen) {
      expect(t.storeMs).toBeGreaterThan(0);
      expect(t.storeMs).toBeLessThanOrEqual(t.runMs);
    }
  });

  it('runs its turns under the limit the settings choose: MAX_RUNNING_TURNS fixed, or an adaptive limit below it', async () => {
    const limitsSeen = async (name: string, settings: Parameters<typeof createAppInstance>[1]) => {
      const a = await instance(testDbUri(name), settings);
      const limits: number[] = [];
      const listener = (m: unknown) => void ((m as TurnTiming).userId === 'g1' && limits.push((m as TurnTiming).limit));
      subscribe('redcollar:turn', listener);
      try {
        await a.say('g1', '注册');
      } finally {
        unsubscribe('redcollar:turn', listener);
      }
      return limits;
    };
    expect(await limitsSeen('inbound_limit_fixed', { settings: { maxRunningTurns: 20 } })).toEqual([20]);
    // The adaptive limit starts at 8 (turnLimit.ts) and grows from there only as measured.
    expect(await limitsSeen('inbound_limit_adaptive', { settings: { maxRunningTurns: 20, runningTurnsLimit: 'adaptive' } })).toEqual([8]);
  });

  it('refuses a 10,000-character message politely without touching the conversation', async () => {
    const a = await instance(testDbUri('inbound_long'));
    await a.say('l1', '注册');
    expect(await a.say('l1', '长'.repeat(10_000))).toContain('消息太长');
    expect(await a.say('l1', '张三')).toContain('手机号码');
  });

  it('treats text that looks like SQL or Mongo operators as plain text', async () => {
    const a = await instance(testDbUri('inbound_injection'));
    await a.say('s1', '注册');
    expect(await a.say('s1', '{"$gt": ""}')).toContain('姓名只能包含');
    expect(await a.say('s1', "'; DROP TABLE x;--")).toContain('姓名只能包含');
    expect(await a.say('s1', '😀😀')).toContain('姓名只能包含');
    expect(await a.say('s1', '张三')).toContain('手机号码');
  });

  describe('a turn on the state this instance wrote last', () => {
    /** The database operations (collection.method) the app makes while `fn` runs. */
    async function opsDuring(fn: () => Promise<unknown>): Promise<string[]> {
      const ops: string[] = [];
      mongoose.set('debug', (collection: string, method: string) => void ops.push(`${collection}.${method}`));
      try {
        await fn();
      } finally {
        mongoose.set('debug', false);
      }
      return ops;
    }

    it('takes one database write, no lease and no read', async () => {
      const uri = testDbUri('inbound_one_trip');
      const a = await instance(uri);
      await a.say('q1', '注册');
      let reply = '';
      expect(await opsDuring(async () => (reply = await a.say('q1', '张三')))).toEqual(['conversations.updateOne']);
      expect(reply).toContain('手机号码');
      // Where it left the conversation is what another instance finds.
      const b = await instance(uri);
      expect(await b.say('q1', '13812345678')).toContain('身份证号码');
    });

    it('runs again with the lease when another instance moved the chat on meanwhile, on the newer state', async () => {
      const uri = testDbUri('inbound_moved_on');
      const a = await instance(uri);
      const b = await instance(uri);
      await a.say('q2', '注册');
      expect(await b.say('q2', '张三')).toContain('手机号码');
      // a still remembers the name question; its write misses and the turn runs on what b left.
      let reply = '';
      const ops = await opsDuring(async () => (reply = await a.say('q2', '13812345678')));
      expect(reply).toContain('身份证号码');
      expect(ops).toEqual(['conversations.updateOne', 'conversations.findOneAndUpdate', 'conversations.updateOne']);
    });

    it('takes the lease first when the intercept may answer the message, and skips it when it surely does not', async () => {
      const seen: string[] = [];
      const a = await instance(testDbUri('inbound_intercept'), {
        intercept: {
          intercept: async (msg, state) => {
            seen.push(msg.input.type === 'text' ? msg.input.text : '?');
            return msg.input.type === 'text' && msg.input.text === '投票' ? { state, replies: [{ text: 'intercepted' }] } : null;
          },
          mayIntercept: (msg) => msg.input.type === 'text' && msg.input.text === '投票',
        },
      });
      await a.say('q3', '注册');
      expect(await opsDuring(() => a.say('q3', '张三'))).toEqual(['conversations.updateOne']);
      let reply = '';
      expect(await opsDuring(async () => (reply = await a.say('q3', '投票')))).toEqual(['conversations.findOneAndUpdate', 'conversations.updateOne']);
      expect(reply).toBe('intercepted');
      expect(seen).toEqual(['注册', '投票']);
    });

    it('takes the lease first when a turn runs an action', async () => {
      const a = await instance(testDbUri('inbound_action_lease'));
      const turns: string[][] = [];
      for (const text of [...registrationScript(makeIdNumber('320102', '19850312', '321')), '确认']) turns.push(await opsDuring(() => a.say('q4', text)));
      const withActions = turns.filter((ops) => ops.some((o) => !o.startsWith('conversations.')));
      expect(withActions.length).toBeGreaterThan(0);
      for (const ops of withActions) expect(ops[0]).toBe('conversations.findOneAndUpdate');
      expect(await a.workers.findByAccount('sim', 'q4')).not.toBeNull();
    });
  });
});
