/**
 * The start-up order of main.ts (src/channels/startup.ts): a broadcast whose run is due at start (resumed after a
 * crash) must find its channels' senders and reach. The scheduler's start here runs that due run at once, as
 * agenda does with a job whose time has passed.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroadcast } from '../../../src/app/broadcasts/compose.ts';
import { sendBroadcast } from '../../../src/app/broadcasts/sendBroadcast.ts';
import { fanOut, sendRun } from '../../../src/app/broadcasts/sendRun.ts';
import { reachByChannel } from '../../../src/app/ports/reach.ts';
import { senderByChannel } from '../../../src/app/ports/sender.ts';
import type { ChannelModule } from '../../../src/channels/module.ts';
import { startChannelsThenJobs, type ChannelRegistry } from '../../../src/channels/startup.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { testDbUri } from '../../support/db.ts';
import { admin, world } from './world.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('broadcast_start_order'));
  world(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
  await connection.db!.collection('workers').insertMany(
    Array.from({ length: 4 }, (_, i) => ({ accountKey: `sim:s${i}`, channel: 'sim', userId: `s${i}`, idHmac: `so-${i}`, name: `工作者${i}`, role: 'secretary', regionCode: '320102001', registeredAt: new Date('2026-01-01T00:00:00Z') })),
  );
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

describe('start-up order', () => {
  it('regression: a broadcast resumed after a crash skipped a whole batch as unreachable (its run, due at start, asked the reach of channels not yet registered)', async () => {
    const registry: ChannelRegistry = { channels: new Map(), senders: {}, mediaSources: {}, reaches: {} };
    const w = world(connection);
    const received: string[] = [];
    const deps = { ...w.deps, sender: senderByChannel(registry.senders), reach: reachByChannel(registry.reaches) };
    const by = admin('nj', '320100');
    const draft = await createBroadcast(deps, by, { text: { 'zh-CN': '{name}：通知' }, segment: { region: '320102' } });
    if (!draft.ok) throw new Error(draft.error.message);
    const id = draft.value.id;
    expect((await sendBroadcast(deps, by, id)).ok).toBe(true);
    // The audience was fixed before the crash; its run is due when the app comes up again.
    await fanOut(deps, id);
    const sim: ChannelModule = {
      id: 'sim',
      capabilities: { images: false },
      sender: {
        async send(_channel, userId) {
          received.push(userId);
          return { ok: true };
        },
      },
      reach: { reach: async () => ({ reachable: true, how: 'direct' }) },
      start: async () => {},
      stop: async () => {},
    };
    await startChannelsThenJobs({ created: [sim], registry, started: [], startJobs: () => sendRun(deps, id) });
    expect((await deps.broadcasts.get(id))!).toMatchObject({ status: 'done', counts: { sent: 4, skipped: 0 } });
    expect(received.sort()).toEqual(['s0', 's1', 's2', 's3']);
  });
});
