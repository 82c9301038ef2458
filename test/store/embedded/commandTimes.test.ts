/**
 * `{embeddedCommandTimes: 1}` (src/store/embedded/CommandTimes.java): the embedded server's own time on each
 * client command, as a count, a total and a quarter-octave histogram. bench:channels prints it beside the app's
 * round trips; a count that missed commands, or one that counted its own reads, would make that comparison lie.
 * Each test starts its own server with one client whose monitor stays quiet (a heartbeat is a command too), not
 * through ownEmbeddedServers: the client that opens has the default heartbeat, which could land between two reads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/store/embedded/launcher.ts';

interface Times {
  commands: number;
  totalMicros: number;
  quarterOctaveMicros: number[];
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function server(backend: 'memory' | 'h2'): Promise<MongoClient> {
  let mongo: EmbeddedMongo;
  if (backend === 'h2') {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-times-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    mongo = await startEmbeddedMongo({ backend, dataDir });
  } else {
    mongo = await startEmbeddedMongo({ backend });
  }
  cleanups.push(() => mongo.stop());
  // One heartbeat an hour, and no RTT pinger in poll mode: no command reaches the server but the test's own.
  const client = await MongoClient.connect(mongo.uri, { heartbeatFrequencyMS: 3_600_000, serverMonitoringMode: 'poll', maxPoolSize: 1 });
  cleanups.push(() => client.close());
  return client;
}

async function times(client: MongoClient): Promise<Times> {
  const r = await client.db('admin').command({ embeddedCommandTimes: 1 });
  return { commands: Number(r.commands), totalMicros: Number(r.totalMicros), quarterOctaveMicros: (r.quarterOctaveMicros as unknown[]).map(Number) };
}

describe.each(['memory', 'h2'] as const)('embedded server (%s): its own command times', (backend) => {
  it('counts every client command once, and not its own reads', async () => {
    const client = await server(backend);
    const coll = client.db('times').collection<{ _id: number; n: number }>('items');
    const before = await times(client);
    expect(await times(client)).toMatchObject({ commands: before.commands });

    await coll.insertOne({ _id: 1, n: 1 });
    await coll.insertMany([{ _id: 2, n: 2 }, { _id: 3, n: 3 }]);
    await coll.updateOne({ _id: 2 }, { $inc: { n: 1 } });
    expect(await coll.find({ n: { $gte: 2 } }).toArray()).toHaveLength(2);
    await client.db('admin').command({ ping: 1 });
    const after = await times(client);

    expect(after.commands - before.commands).toBe(5);
    expect(after.totalMicros).toBeGreaterThanOrEqual(before.totalMicros);
    const added = after.quarterOctaveMicros.map((c, i) => c - before.quarterOctaveMicros[i]!);
    expect(added.reduce((a, b) => a + b, 0)).toBe(5);
    expect(added.every((c) => c >= 0)).toBe(true);
    // The histogram holds every command counted since the start, and nothing else.
    expect(after.quarterOctaveMicros.reduce((a, b) => a + b, 0)).toBe(after.commands);
  });
});
