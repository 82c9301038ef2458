/**
 * The H2 backend's write-ahead log (src/store/embedded/DurableCommits.java, WriteAheadLog.java, WalReplay.java)
 * and its in-memory unique indexes (InMemoryUniqueIndex.java), through the wire: acknowledged writes that are only in
 * the log when the server is killed come back on the next start, a torn record at its end is ignored, a command that
 * changes more than documents is not undone by the replay, and data files without a log open as before, including
 * one written by the previous version (fixtures/h2-written-before-wal.mv).
 *
 * The servers here checkpoint once an hour, so every write after startup stays in the log until the kill; the
 * store's own background commits still run each second, so the replay meets a store holding part of it.
 */
import { appendFile, copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, MongoServerError } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/store/embedded/launcher.ts';

const START_TIMEOUT_MS = 60_000;
const NO_CHECKPOINT_MS = 3_600_000;
const FIXTURE = fileURLToPath(new URL('./fixtures/h2-written-before-wal.mv', import.meta.url));
const REPLAYED = /replayed (\d+) write-ahead log records after an unclean stop: (\d+) documents restored, (\d+) removed$/;

interface Person {
  _id: string;
  email: string;
  visits?: number;
}

interface Server {
  db: EmbeddedMongo;
  lines: string[];
}

describe('embedded H2 database: the write-ahead log', () => {
  const running: EmbeddedMongo[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((db) => db.stop()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'redcollar-wal-'));
    dirs.push(dir);
    return dir;
  }

  async function start(dir: string, checkpointIntervalMs?: number): Promise<Server> {
    const lines: string[] = [];
    const db = await startEmbeddedMongo({
      backend: 'h2',
      dataDir: dir,
      startTimeoutMs: START_TIMEOUT_MS,
      checkpointIntervalMs,
      log: (line) => lines.push(line),
    });
    running.push(db);
    return { db, lines };
  }

  async function withDb<T>(server: Server, fn: (client: MongoClient) => Promise<T>): Promise<T> {
    const client = await new MongoClient(`${server.db.uri.replace(/\/$/, '')}/wal`, { serverSelectionTimeoutMS: 5_000 }).connect();
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  /** SIGKILL of the server alone: nothing of it runs after the last acknowledged write. */
  async function kill(server: Server): Promise<void> {
    process.kill(server.db.pid, 'SIGKILL');
    for (let i = 0; ; i++) {
      try {
        process.kill(server.db.pid, 0);
      } catch {
        break;
      }
      if (i > 500) throw new Error(`server ${server.db.pid} still alive 5 s after SIGKILL`);
      await sleep(10);
    }
    await server.db.stop();
  }

  function replayLine(server: Server): RegExpExecArray | null {
    for (const line of server.lines) {
      const match = REPLAYED.exec(line);
      if (match) return match;
    }
    return null;
  }

  async function people(server: Server): Promise<unknown[]> {
    return withDb(server, (c) => c.db().collection<Person>('people').find({}, { sort: { _id: 1 } }).toArray());
  }

  /** Inserts, updates, a delete, an upsert and a unique key moving from one document to another. */
  async function writeMix(client: MongoClient): Promise<void> {
    const people = client.db().collection<Person>('people');
    await people.createIndex({ email: 1 }, { unique: true });
    await people.insertMany([
      { _id: 'a', email: 'a@example.org' },
      { _id: 'b', email: 'b@example.org' },
      { _id: 'c', email: 'c@example.org' },
    ]);
    for (let i = 0; i < 5; i++) await people.updateOne({ _id: 'a' }, { $inc: { visits: 1 } });
    await people.deleteOne({ _id: 'b' });
    await people.updateOne({ _id: 'c' }, { $set: { email: 'moved@example.org' } });
    await people.insertOne({ _id: 'd', email: 'c@example.org' });
    await people.findOneAndUpdate({ _id: 'e' }, { $set: { email: 'e@example.org' } }, { upsert: true });
  }

  const AFTER_MIX = [
    { _id: 'a', email: 'a@example.org', visits: 5 },
    { _id: 'c', email: 'moved@example.org' },
    { _id: 'd', email: 'c@example.org' },
    { _id: 'e', email: 'e@example.org' },
  ];

  it('acknowledged writes found only in the log when the server is killed are there after a restart', async () => {
    const dir = await dataDir();
    const first = await start(dir, NO_CHECKPOINT_MS);
    await withDb(first, writeMix);
    await kill(first);

    const second = await start(dir, NO_CHECKPOINT_MS);
    const replayed = replayLine(second);
    expect(replayed, `server log:\n${second.lines.join('\n')}`).not.toBeNull();
    expect(Number(replayed![1])).toBeGreaterThanOrEqual(12);
    expect(await people(second)).toEqual(AFTER_MIX);
    // The unique index came back with the documents: the moved key is taken, the freed one is free.
    const duplicate = await withDb(second, (c) => c.db().collection<Person>('people').insertOne({ _id: 'x', email: 'c@example.org' }).catch((e: unknown) => e));
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    await withDb(second, (c) => c.db().collection<Person>('people').insertOne({ _id: 'f', email: 'b@example.org' }));
    await kill(second);

    // The replay ended with a checkpoint: the third start has only the one write made after it to replay.
    const third = await start(dir, NO_CHECKPOINT_MS);
    expect(replayLine(third)?.[1]).toBe('1');
    expect(await people(third)).toEqual([...AFTER_MIX, { _id: 'f', email: 'b@example.org' }]);
  });

  it('a torn record at the end of the log is ignored and the records before it are replayed', async () => {
    const dir = await dataDir();
    const first = await start(dir, NO_CHECKPOINT_MS);
    await withDb(first, writeMix);
    await kill(first);
    const segments = (await readdir(dir)).filter((name) => name.startsWith('embedded-mongo.mv.wal-')).sort();
    expect(segments.length).toBeGreaterThan(0);
    // What a crash in the middle of writing a record leaves: a header promising more bytes than follow.
    await appendFile(join(dir, segments.at(-1)!), Buffer.from([0, 0, 1, 0, 0x12, 0x34, 0x56, 0x78, 0x16, 0x00]));

    const second = await start(dir, NO_CHECKPOINT_MS);
    expect(replayLine(second), `server log:\n${second.lines.join('\n')}`).not.toBeNull();
    expect(await people(second)).toEqual(AFTER_MIX);
  });

  it('a collection dropped just before the kill stays dropped (the replay does not bring back its documents)', async () => {
    const dir = await dataDir();
    const first = await start(dir, NO_CHECKPOINT_MS);
    await withDb(first, async (c) => {
      await c.db().collection('scratch').insertOne({ n: 0 });
      // Written after the collection exists: these are in the log only, until the drop's checkpoint.
      await c.db().collection('scratch').insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
      await c.db().collection<{ _id: string }>('kept').insertOne({ _id: 'k' });
      await c.db().collection('scratch').drop();
    });
    await kill(first);

    const second = await start(dir, NO_CHECKPOINT_MS);
    const names = await withDb(second, async (c) => (await c.db().listCollections().toArray()).map((x) => x.name).sort());
    expect(names).toEqual(['kept']);
    expect(await withDb(second, (c) => c.db().collection('kept').find().toArray())).toEqual([{ _id: 'k' }]);
  });

  it('regression: every app start took a checkpoint (two syncs) for each create and createIndexes that changed nothing', async () => {
    const dir = await dataDir();
    const server = await start(dir, NO_CHECKPOINT_MS);
    // A checkpoint starts a new log segment and deletes the ones it covers, so the segment names tell whether one ran.
    const segments = async () => (await readdir(dir)).filter((name) => name.startsWith('embedded-mongo.mv.wal-')).sort();
    await withDb(server, async (c) => {
      const people = c.db().collection<Person>('people');
      await people.createIndex({ email: 1 }, { unique: true });
      const before = await segments();
      for (let i = 0; i < 3; i++) {
        await people.createIndex({ email: 1 }, { unique: true });
        const exists = await c.db().createCollection('people').then(() => null, (error: unknown) => error);
        expect(exists).toBeInstanceOf(MongoServerError);
        expect((exists as MongoServerError).code).toBe(48);
      }
      expect(await segments()).toEqual(before);
      // A new index changes the store: its checkpoint still runs, and the index is there after a kill.
      await people.createIndex({ visits: 1 });
      expect(await segments()).not.toEqual(before);
    });
    await kill(server);

    const second = await start(dir, NO_CHECKPOINT_MS);
    const indexes = await withDb(second, (c) => c.db().collection('people').listIndexes().toArray());
    expect(indexes.map((index) => String(index['name'])).sort()).toEqual(['_id_', 'email_1', 'visits_1']);
  });

  it('a clean stop leaves an empty log, and a data directory without one opens with its data', async () => {
    const dir = await dataDir();
    const first = await start(dir);
    await withDb(first, writeMix);
    await first.db.stop();
    // A clean stop leaves nothing to replay; without the emptied log the directory is as older versions left it.
    for (const name of await readdir(dir)) {
      if (!name.startsWith('embedded-mongo.mv.wal-')) continue;
      expect((await stat(join(dir, name))).size, name).toBe(0);
      await rm(join(dir, name));
    }

    const second = await start(dir);
    expect(replayLine(second)).toBeNull();
    expect(await people(second)).toEqual(AFTER_MIX);
  });

  it('a data file written before the log and the in-memory unique indexes opens, with its unique indexes rebuilt', async () => {
    // Written by the previous version (unique indexes stored in the file, no log) with the documents of AFTER_MIX.
    const dir = await dataDir();
    await copyFile(FIXTURE, join(dir, 'embedded-mongo.mv'));
    const first = await start(dir);
    expect(first.lines.some((line) => /written by an older version: removed its 2 stored unique indexes/.test(line)), `server log:\n${first.lines.join('\n')}`).toBe(true);
    expect(await people(first)).toEqual(AFTER_MIX);
    for (const duplicate of [{ _id: 'a', email: 'new@example.org' }, { _id: 'y', email: 'moved@example.org' }]) {
      const error = await withDb(first, (c) => c.db().collection<Person>('people').insertOne(duplicate).catch((e: unknown) => e));
      expect(error, JSON.stringify(duplicate)).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(11000);
    }
    await withDb(first, (c) => c.db().collection<Person>('people').updateOne({ _id: 'e' }, { $set: { email: 'e2@example.org' } }));
    await first.db.stop();

    // Migrated once: the next start has nothing to remove and still enforces the index.
    const second = await start(dir);
    expect(second.lines.filter((line) => /older version/.test(line))).toEqual([]);
    expect(await withDb(second, (c) => c.db().collection<Person>('people').findOne({ email: 'e2@example.org' }))).toEqual({ _id: 'e', email: 'e2@example.org' });
    const error = await withDb(second, (c) => c.db().collection<Person>('people').insertOne({ _id: 'z', email: 'a@example.org' }).catch((e: unknown) => e));
    expect((error as MongoServerError).code).toBe(11000);
  });
});
