import { describe, expect, it } from 'vitest';
import { senderByChannel, type Sender } from '../../../src/app/ports/sender.ts';

/** Pushes routed to the sender of their channel. */
describe('senderByChannel', () => {
  const sent: string[] = [];
  const sim: Sender = { send: async (channel, userId) => (sent.push(`${channel}/${userId}`), { ok: true }) };
  const sender = senderByChannel({ sim });

  it('hands a push to its channel and refuses channels without a sender', async () => {
    expect(await sender.send('sim', 'u1', [{ text: 'hi' }])).toEqual({ ok: true });
    expect(await sender.send('telegram', 'u1', [{ text: 'hi' }])).toEqual({ ok: false, permanent: true, reason: 'no sender for channel telegram' });
    expect(sent).toEqual(['sim/u1']);
  });

  it('regression: a channel named like an inherited property ("constructor") threw instead of "no sender"', async () => {
    for (const channel of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(await sender.send(channel, 'u1', [{ text: 'hi' }]), channel).toEqual({ ok: false, permanent: true, reason: `no sender for channel ${channel}` });
    }
  });
});
