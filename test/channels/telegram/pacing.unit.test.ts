import { TelegramApiError, type Api } from 'node-telegram-bot-api';
import { describe, expect, it } from 'vitest';
import { TelegramOutbound } from '../../../src/channels/telegram/outbound.ts';
import { SlidingWindow, type PacerClock } from '../../../src/channels/telegram/pacing.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { TelegramLimitRules, type TelegramLimitRulesOptions } from '../../support/telegramLimits.ts';

/**
 * The outbound's pacing against the fake platform's own window rules (test/support/telegramLimits.ts, the ones
 * the broadcast bench's fake Bot API enforces), on a moved clock: every request spends a random time on its way
 * there and back, as on a loaded machine, so pacing by departure alone would be caught.
 */
class MovedClock implements PacerClock {
  t = 0;
  private timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake: resolve });
    });
  }
  /** Runs until `work` settles: every promise chain runs to its next sleep, then the clock jumps to the earliest. */
  async runUntil<T>(work: Promise<T>): Promise<T> {
    let done = false;
    void work.finally(() => (done = true)).catch(() => undefined);
    for (let steps = 0; steps < 1_000_000; steps++) {
      await new Promise((r) => setImmediate(r));
      if (done) return work;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('nothing left to wait for, and the work is not done');
      this.t = Math.max(this.t, next.at);
      next.wake();
    }
    throw new Error('too many steps');
  }
}

/** A deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Arrival {
  chat: string;
  at: number;
  status: number;
}

/** A Bot API whose requests take 0–`maxLegMs` each way; the platform judges them by the rules when they arrive. */
function world(opts: { maxLegMs: number; seed?: number; rules?: TelegramLimitRulesOptions; perChatPerSecond?: number; globalPerSecond?: number; floodedChat?: string }) {
  const clock = new MovedClock();
  const rules = new TelegramLimitRules(opts.rules);
  const rnd = random(opts.seed ?? 1);
  const arrivals: Arrival[] = [];
  const never = new AbortController().signal;
  const api = {
    async sendMessage(params: { chat_id: number | string }) {
      await clock.sleep(rnd() * opts.maxLegMs, never);
      const chat = String(params.chat_id);
      const retryAfter = chat === opts.floodedChat ? 1 : rules.arrive(chat, clock.now());
      arrivals.push({ chat, at: clock.now(), status: retryAfter === null ? 200 : 429 });
      await clock.sleep(rnd() * opts.maxLegMs, never);
      if (retryAfter !== null) throw new TelegramApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      return { message_id: arrivals.length };
    },
  } as unknown as Api;
  const outbound = new TelegramOutbound({
    api,
    users: { markUnreachable: async () => {}, markReachable: async () => {}, isUnreachable: async () => false } as never,
    logger: createLogger('silent'),
    perChatPerSecond: opts.perChatPerSecond ?? 1,
    globalPerSecond: opts.globalPerSecond ?? 30,
    pacerClock: clock,
  });
  return { clock, rules, arrivals, outbound };
}

const notice = (n: number) => [{ text: `通知 ${n}` }];

describe('Telegram pacing against the fake platform’s windows (moved clock)', () => {
  it('regression: the broadcast bench got 76 answers 429 of 300 from the enforcing fake (sends paced by departure, requests delayed on their way): two broadcasts to 150 chats, no 429, at close to 30/s', async () => {
    const w = world({ maxLegMs: 150 });
    const chats = Array.from({ length: 150 }, (_, i) => String(7_000_000 + i));
    // Two broadcasts' waves side by side: every chat gets two notices, queued at once.
    const results = await w.clock.runUntil(Promise.all([...chats.map((c) => w.outbound.deliver(c, notice(1))), ...chats.map((c) => w.outbound.deliver(c, notice(2)))]));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(w.rules.stats).toEqual({ ok: 300, tooMany: 0 });
    // The highest rate that holds: 300 at 30/s take 10 s; each slot also waits out its answer (≤ 300 ms here).
    expect(w.clock.now()).toBeGreaterThanOrEqual(9_000);
    expect(w.clock.now()).toBeLessThan(10_000 * 1.35);
  });

  it('several messages to one chat and a burst of 25 to a group: one a second per chat, 20 a minute per group, no 429', async () => {
    const w = world({ maxLegMs: 400, seed: 7 });
    const group = '-1001234567';
    const results = await w.clock.runUntil(
      Promise.all([
        // A reply with choices closes a message, so these are four messages.
        w.outbound.deliver('8001', [1, 2, 3, 4].map((n) => ({ text: `问题 ${n}`, choices: [{ id: `a${n}`, label: '是' }] }))),
        ...Array.from({ length: 25 }, (_, i) => w.outbound.deliver(group, notice(i))),
        ...Array.from({ length: 60 }, (_, i) => w.outbound.deliver(String(9000 + i), notice(i))),
      ]),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(w.rules.stats).toEqual({ ok: 4 + 25 + 60, tooMany: 0 });
    const toGroup = w.arrivals.filter((a) => a.chat === group).map((a) => a.at);
    // The 21st had to wait for the minute of the first to pass.
    expect(toGroup[20]! - toGroup[0]!).toBeGreaterThanOrEqual(60_000);
    const toChat = w.arrivals.filter((a) => a.chat === '8001').map((a) => a.at);
    expect(toChat).toHaveLength(4);
    for (let i = 1; i < toChat.length; i++) expect(toChat[i]! - toChat[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('a 429 from a stricter platform waits its retry_after and is retried through the pacing: every message arrives once', async () => {
    // The platform allows 10 a second while the sender believes 30: 429s are bound to happen.
    const w = world({ maxLegMs: 50, seed: 3, rules: { globalPerSecond: 10 } });
    const chats = Array.from({ length: 40 }, (_, i) => String(6000 + i));
    const results = await w.clock.runUntil(Promise.all(chats.map((c) => w.outbound.deliver(c, notice(1)))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(w.rules.stats.ok).toBe(40);
    expect(w.rules.stats.tooMany).toBeGreaterThan(0);
    for (const c of chats) {
      const mine = w.arrivals.filter((a) => a.chat === c);
      expect(mine.filter((a) => a.status === 200)).toHaveLength(1);
      // After a 429 (retry_after 1 s here) the chat's next try came no sooner than a second later.
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    }
  });

  it('gives up after the configured 429 retries, as a transient failure', async () => {
    // A chat the platform answers 429 (retry_after 1) whatever the pace.
    const w = world({ maxLegMs: 10, floodedChat: '5001' });
    const r = await w.clock.runUntil(w.outbound.deliver('5001', notice(1)));
    expect(r).toMatchObject({ ok: false, permanent: false, reason: expect.stringContaining('429') });
    // The first try and three retries, each a retry_after later.
    expect(w.arrivals.map((a) => a.status)).toEqual([429, 429, 429, 429]);
    for (let i = 1; i < w.arrivals.length; i++) expect(w.arrivals[i]!.at - w.arrivals[i - 1]!.at).toBeGreaterThanOrEqual(1000);
  });
});

describe('SlidingWindow slot choice', () => {
  const fixedClock = (at: { t: number }): PacerClock => ({ now: () => at.t, sleep: () => Promise.reject(new Error('would sleep')) });
  const never = new AbortController().signal;

  it('always hands out the soonest free slot, whatever order the slots came back in (including a call that never left)', async () => {
    const at = { t: 10_000 };
    // A window of 1,000 ms with 4 slots: departures 250 ms apart at the least.
    const w = new SlidingWindow(4, 1000, fixedClock(at));
    const taken = [];
    for (let i = 0; i < 4; i++) {
      taken.push(await w.take(never));
      at.t += 250;
    }
    // Answers came back out of order; the third never left.
    w.release(taken[1]!, 10_400);
    w.release(taken[0]!, 10_900);
    w.release(taken[2]!, -Infinity);
    w.release(taken[3]!, 10_600);
    // Free at 11,400, 11,900, -Infinity and 11,600: the next takes get them in that order of freeAt.
    at.t = 20_000;
    const order = [];
    for (let i = 0; i < 4; i++) {
      order.push(taken.indexOf(await w.take(never)));
      at.t += 250;
    }
    expect(order).toEqual([2, 1, 3, 0]);
  });

  it('a slot still closed makes the taker wait for it, and a window with every slot held waits for a release', async () => {
    const at = { t: 0 };
    const w = new SlidingWindow(2, 1000, fixedClock(at));
    const a = await w.take(never);
    at.t = 500;
    const b = await w.take(never);
    w.release(a, 600);
    // a is free at 1,600: a take at 700 would have to sleep.
    at.t = 700;
    await expect(w.take(never)).rejects.toThrow('would sleep');
    at.t = 1_600;
    expect(await w.take(never)).toBe(a);
    // Both held now: the next take waits until one is given back.
    let got: unknown = null;
    const next = w.take(never).then((s) => (got = s));
    await new Promise((r) => setImmediate(r));
    expect(got).toBeNull();
    at.t = 5_000;
    w.release(b, 2_000);
    await next;
    expect(got).toBe(b);
  });
});
