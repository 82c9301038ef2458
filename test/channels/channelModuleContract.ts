import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReachAnswer } from '../../src/app/ports/reach.ts';
import type { ChannelModule } from '../../src/channels/module.ts';
import { serveRouters } from './telegram/harness.ts';

/**
 * What every ChannelModule promises main.ts, run against each channel (channelModules.test.ts) with fake
 * platforms: reach answers for a known and an unknown user and never throws on a malformed id; the sender keeps
 * the channel's limit; stop() refuses new work, leaves no timer running and may be called twice.
 */
export interface ChannelUnderTest {
  module: ChannelModule;
  /** Make `userId` known to the channel as it would become on its own (a message, a login, an attached terminal). */
  makeKnown(userId: string): Promise<void>;
  knownUser: string;
  /** What reach says for the known user. */
  knownAnswer: ReachAnswer;
  /** A well-formed id the channel never saw, and what reach says for it. */
  unknownUser: string;
  unknownAnswer: ReachAnswer;
  /** The sender's limit: after `prepare(userId)`, exactly `allowed` sends go through and the next is refused. */
  limit?: { userId: string; prepare(userId: string): Promise<void>; allowed: number };
  /** A request to one of the module's routes that it answers (with anything but 503) while running. */
  probe?: { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
  close(): Promise<void>;
}

/** How many timers `work` set that have neither fired nor been cleared when it resolves. */
export async function timersLeftBy(work: () => Promise<unknown>): Promise<number> {
  const setSpy = vi.spyOn(globalThis, 'setTimeout');
  const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
  const timers = new Set<unknown>();
  try {
    await work();
    for (const r of setSpy.mock.results) if (r.type === 'return') timers.add(r.value);
    for (const [t] of clearSpy.mock.calls) timers.delete(t);
  } finally {
    setSpy.mockRestore();
    clearSpy.mockRestore();
  }
  // Node marks a timer `_destroyed` once it has fired or been cleared. An unref'd timer cannot hold the process
  // (undici's shared clock ticks on one until its last connection's timers are gone), so it is not counted.
  return [...timers].filter((t) => {
    const timer = t as { _destroyed?: boolean; hasRef?: () => boolean };
    return !timer._destroyed && timer.hasRef?.() !== false;
  }).length;
}

/** `opts.senderLimit: false` for a channel whose sender has no limit to keep (the simulator's outbox). */
export function channelModuleContract(name: string, make: () => Promise<ChannelUnderTest>, opts: { senderLimit?: boolean } = {}): void {
  describe(`ChannelModule contract: ${name}`, () => {
    let c: ChannelUnderTest;
    beforeAll(async () => {
      c = await make();
      await c.module.start();
    });
    afterAll(async () => {
      await c?.module.stop();
      await c?.close();
    });

    it('has an id, capabilities and a sender', () => {
      expect(c.module.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof c.module.capabilities.images).toBe('boolean');
      expect(c.module.sender).toBeDefined();
    });

    it('reach answers for a known and an unknown user, and treats a malformed id as unknown', async () => {
      await c.makeKnown(c.knownUser);
      expect(await c.module.reach.reach(c.knownUser, 'notice')).toEqual(c.knownAnswer);
      expect(await c.module.reach.reach(c.unknownUser, 'notice')).toEqual(c.unknownAnswer);
      const malformed = await c.module.reach.reach('{"$gt":""}', 'broadcast');
      expect(malformed.reachable).toBe(false);
    });

    if (opts.senderLimit !== false)
      it('the sender honours its limit', async () => {
      if (!c.limit) throw new Error(`${name} declares no sender limit; pass { senderLimit: false } if it has none`);
      const { userId, prepare, allowed } = c.limit;
      await prepare(userId);
      const results = [];
      for (let i = 0; i <= allowed; i++) results.push(await c.module.sender!.send(c.module.id, userId, [{ text: `notice ${i}` }]));
      expect(results.slice(0, allowed).every((r) => r.ok)).toBe(true);
      expect(results[allowed]).toMatchObject({ ok: false });
    });

    it('stop() refuses new work, leaves no timer running and can be called twice', async () => {
      const http = c.module.routes ? await serveRouters([c.module.routes]) : null;
      const request = () => fetch(`${http!.url}${c.probe!.path}`, { method: c.probe!.method, ...(c.probe!.body !== undefined ? { body: c.probe!.body } : {}), headers: c.probe!.headers ?? {} });
      try {
        if (http) expect((await request()).status).not.toBe(503);
        expect(await timersLeftBy(() => c.module.stop())).toBe(0);
        await c.module.stop();
        if (http) expect((await request()).status).toBe(503);
      } finally {
        await http?.close();
      }
    });
  });
}
