import { describe, expect, it } from 'vitest';
import type { HandleResult, InboundMessage } from '../../src/app/handleInbound.ts';
import { handleUntilAdmitted } from '../../src/app/untilAdmitted.ts';

const msg: InboundMessage = { channel: 'telegram', userId: '42', messageId: '42:1', input: { type: 'text', text: '你好' } };
const overloaded: HandleResult = { replies: [{ text: 'busy' }], duplicate: false, overloaded: true };
const answered: HandleResult = { replies: [{ text: '您好' }], duplicate: false };

/** A handler that is overloaded `times` times, then answers; counts its calls. */
function flaky(times: number) {
  let calls = 0;
  return {
    handle: async () => (++calls <= times ? overloaded : answered),
    calls: () => calls,
  };
}

describe('handleUntilAdmitted (channels that acknowledged a message before handling it)', () => {
  it('offers an overloaded message again, backing off, until it is handled', async () => {
    const h = flaky(3);
    const slept: number[] = [];
    const result = await handleUntilAdmitted(h.handle, msg, { giveUpAfterMs: 60_000, stopping: () => false, sleep: async (ms) => void slept.push(ms) });
    expect(result).toEqual(answered);
    expect(h.calls()).toBe(4);
    expect(slept).toHaveLength(3);
    // Growing waits: each at least half the doubled base of the one before.
    expect(slept[2]!).toBeGreaterThan(slept[0]!);
  });

  it('hands back the first answer without waiting when the message was admitted', async () => {
    const h = flaky(0);
    const slept: number[] = [];
    expect(await handleUntilAdmitted(h.handle, msg, { giveUpAfterMs: 60_000, stopping: () => false, sleep: async (ms) => void slept.push(ms) })).toEqual(answered);
    expect(slept).toEqual([]);
  });

  it('stops offering when the channel is stopping, returning the overloaded result', async () => {
    const h = flaky(100);
    let stopping = false;
    const result = await handleUntilAdmitted(h.handle, msg, {
      giveUpAfterMs: 60_000,
      stopping: () => stopping,
      sleep: async () => {
        stopping = true;
      },
    });
    expect(result.overloaded).toBe(true);
    expect(h.calls()).toBe(2);
  });
});
