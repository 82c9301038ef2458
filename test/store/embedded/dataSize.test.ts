/**
 * collStats of the embedded server (src/store/embedded/BsonSizes.java): the collections no longer keep a running
 * data size on every write (that cost two BSON encodes per update), so the size is computed when collStats asks.
 * It must still be the summed BSON size of the documents there are, on both backends, after inserts, updates
 * that grow and shrink documents, deletes, and (H2) a restart on the same data file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, MongoClient, type Collection, type Db } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/store/embedded/launcher.ts';

interface Item {
  _id: string;
  text: string;
  n?: number;
}

const started: EmbeddedMongo[] = [];
const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function withItems<T>(server: EmbeddedMongo, fn: (items: Collection<Item>, db: Db) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(server.uri);
  try {
    const db = client.db('sizes');
    return await fn(db.collection<Item>('items'), db);
  } finally {
    await client.close();
  }
}

/** What collStats reports, next to the BSON size of every document read back. */
async function sizes(items: Collection<Item>, db: Db): Promise<{ reported: number; expected: number; count: number }> {
  const stats = await db.command({ collStats: items.collectionName });
  const docs = await items.find().toArray();
  return { reported: Number(stats['size']), expected: docs.reduce((sum, d) => sum + BSON.calculateObjectSize(d), 0), count: Number(stats['count']) };
}

async function exercise(items: Collection<Item>, db: Db): Promise<void> {
  await items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `i${i}`, text: 'x'.repeat(10 + i * 50) })));
  const inserted = await sizes(items, db);
  expect(inserted.count).toBe(20);
  expect(inserted.reported).toBe(inserted.expected);
  await items.updateOne({ _id: 'i3' }, { $set: { text: 'y'.repeat(5_000), n: 1 } });
  await items.updateOne({ _id: 'i19' }, { $set: { text: '' } });
  await items.findOneAndUpdate({ _id: 'i7' }, { $inc: { n: 2 } });
  await items.deleteMany({ _id: { $in: ['i0', 'i11'] } });
}

describe('embedded server: collStats size is the documents’ BSON size without a running count', () => {
  it('memory backend', async () => {
    const server = await startEmbeddedMongo({ backend: 'memory' });
    started.push(server);
    await withItems(server, async (items, db) => {
      await exercise(items, db);
      const { reported, expected, count } = await sizes(items, db);
      expect(count).toBe(18);
      expect(expected).toBeGreaterThan(5_000);
      expect(reported).toBe(expected);
    });
  });

  it('h2 backend, also after a restart on the same file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-sizes-'));
    tempDirs.push(dataDir);
    const first = await startEmbeddedMongo({ backend: 'h2', dataDir });
    started.push(first);
    const before = await withItems(first, async (items, db) => {
      await exercise(items, db);
      return sizes(items, db);
    });
    expect(before.reported).toBe(before.expected);
    await first.stop();

    const second = await startEmbeddedMongo({ backend: 'h2', dataDir });
    started.push(second);
    await withItems(second, async (items, db) => {
      await items.updateOne({ _id: 'i5' }, { $set: { text: 'z'.repeat(3_000) } });
      const after = await sizes(items, db);
      expect(after.count).toBe(18);
      expect(after.expected).toBeGreaterThan(before.expected);
      expect(after.reported).toBe(after.expected);
    });
  });
});
