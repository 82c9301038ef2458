/**
 * Secondary indexes in the embedded server (src/store/embedded/SecondaryIndex.java).
 *
 * mongo-java-server keeps non-unique indexes as empty placeholders; the launcher's server adds real ones, which
 * pick candidate documents and, when they can, hand them over in sort order so a query stops after its limit. An
 * index may only make queries faster, never change their answers, so the first block compares every query on an
 * indexed collection with the same query on an unindexed twin (the library's own full scan), over documents with
 * the awkward cases: missing fields, nulls, arrays, mixed number types, dates; before and after updates and
 * deletes. It runs on the run's shared server, so with MONGODB_URI set it checks a real MongoDB the same way.
 *
 * The later blocks start their own embedded servers to show that the index is really read (only an index returns
 * an unsorted range query in key order rather than insertion order) and that the H2 backend rebuilds its indexes
 * when the data file is opened again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection, type Db, type Filter, type Sort } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDbUri, withDatabase } from '../../support/db.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/store/embedded/launcher.ts';

interface Doc {
  _id: number;
  seq: string;
  a?: string | null;
  b?: number;
  tags?: string[] | string;
  when?: Date;
  n?: number;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const A_VALUES = ['x', 'y', 'z', 'w'];
const TAGS = ['red', 'green', 'blue', 'gold'];

function makeDoc(id: number, next: () => number): Doc {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const doc: Doc = { _id: id, seq: `s${String(Math.floor(next() * 1e9)).padStart(9, '0')}-${id}` };
  const a = next();
  if (a < 0.8) doc.a = pick(A_VALUES);
  else if (a < 0.9) doc.a = null; // 10 % null, 10 % missing
  const b = next();
  if (b < 0.9) doc.b = b < 0.45 ? Math.floor(next() * 6) : Math.floor(next() * 6) + 0.5; // ints and doubles
  const tags = next();
  if (tags < 0.5) doc.tags = Array.from({ length: Math.floor(next() * 4) }, () => pick(TAGS)); // incl. [] and repeats
  else if (tags < 0.8) doc.tags = pick(TAGS);
  if (next() < 0.6) doc.when = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 365) * 86_400_000);
  if (next() < 0.7) doc.n = Math.floor(next() * 100);
  return doc;
}

/** The indexes the indexed twin gets: single, compound, mixed directions, multikey, sparse. */
const INDEXES: { keys: Record<string, 1 | -1>; sparse?: boolean }[] = [
  { keys: { a: 1, seq: -1 } },
  { keys: { tags: 1, seq: -1 } },
  { keys: { a: 1, b: 1, seq: 1 } },
  { keys: { seq: -1 } },
  { keys: { when: 1 }, sparse: true },
  { keys: { b: -1 } },
];

interface Query {
  name: string;
  filter: Filter<Doc>;
  sort?: Sort;
  skip?: number;
  limit?: number;
}

function queries(next: () => number, seqs: string[]): Query[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const seq = () => pick(seqs);
  const day = () => new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 365) * 86_400_000);
  const a = pick(A_VALUES);
  const [t1, t2] = [pick(TAGS), pick(TAGS)];
  return [
    { name: 'equality, sorted by the next index field', filter: { a }, sort: { seq: -1 }, limit: 7 },
    { name: 'equality plus keyset bound', filter: { a, seq: { $lt: seq() } }, sort: { seq: -1 }, limit: 5 },
    { name: 'equality plus keyset bound, sorted the other way', filter: { a, seq: { $gt: seq() } }, sort: { seq: 1 }, limit: 5 },
    { name: '$in merged in order, with skip', filter: { a: { $in: [a, pick(A_VALUES)] } }, sort: { seq: -1 }, skip: 3, limit: 10 },
    { name: '$eq', filter: { a: { $eq: a } }, sort: { seq: -1 }, limit: 4 },
    { name: 'multikey equality', filter: { tags: t1 }, sort: { seq: -1 }, limit: 9 },
    { name: 'multikey $in (a document holding both values comes once)', filter: { tags: { $in: [t1, t2, 'none'] } }, sort: { seq: -1 }, limit: 40 },
    { name: 'two equalities, ascending sort', filter: { a, b: pick([0, 1, 2, 2.5, 3]) }, sort: { seq: 1 }, limit: 5 },
    { name: 'equality then range, sorted by both', filter: { a, b: { $gte: 2 } }, sort: { b: 1, seq: 1 }, limit: 12 },
    { name: 'whole index walk', filter: {}, sort: { seq: -1 }, skip: 5, limit: 10 },
    { name: 'whole index walk backwards', filter: {}, sort: { seq: 1 }, limit: 10 },
    { name: 'sparse index with a range', filter: { when: { $gte: day() } }, sort: { when: 1, _id: 1 }, limit: 15 },
    { name: 'two-sided range, no sort', filter: { b: { $gt: 1, $lt: 4 } } },
    // Regression: crossing bounds made the index's subSet throw "fromKey > toKey" instead of matching nothing.
    { name: 'crossing bounds match nothing', filter: { b: { $gt: 4, $lt: 1 } } },
    { name: 'crossing bounds after an equality', filter: { a, b: { $gte: 3, $lte: 2 } }, sort: { b: 1, seq: 1 } },
    { name: 'equality plus an unindexed condition', filter: { a, n: { $gt: 50 } }, sort: { seq: -1 }, limit: 3 },
    { name: 'integer equality matches doubles of the same value', filter: { a, b: 2 }, sort: { seq: -1 } },
    { name: 'empty $in matches nothing', filter: { a: { $in: [] } }, sort: { seq: -1 } },
    { name: 'null equality (left to the full scan)', filter: { a: null }, sort: { seq: -1 }, limit: 10 },
    { name: '$or (left to the full scan)', filter: { $or: [{ a }, { tags: t1 }] }, sort: { seq: -1 }, limit: 10 },
    { name: 'array equality (left to the full scan)', filter: { tags: [t1, t2] }, sort: { seq: -1 } },
    { name: 'sort the index cannot give', filter: { a }, sort: { n: 1, seq: 1 }, limit: 6 },
    { name: 'no sort, no limit', filter: { tags: t2 } },
    // ['red', 'blue'] matches: 'red' > 'green' and 'blue' < 'gold', though no tag lies between the two bounds.
    { name: 'two-sided range on an array field', filter: { tags: { $gt: 'green', $lt: 'gold' } } },
  ];
}

async function run(collection: Collection<Doc>, q: Query): Promise<number[]> {
  let cursor = collection.find(q.filter);
  if (q.sort) cursor = cursor.sort(q.sort);
  if (q.skip) cursor = cursor.skip(q.skip);
  if (q.limit) cursor = cursor.limit(q.limit);
  const ids = (await cursor.toArray()).map((d) => d._id);
  // Without a sort MongoDB promises no order (an index returns key order, a scan insertion order).
  return q.sort ? ids : ids.sort((x, y) => x - y);
}

describe('secondary indexes answer exactly as the full scan does (shared test server)', () => {
  let client: MongoClient;
  let db: Db;
  let indexed: Collection<Doc>;
  let plain: Collection<Doc>;
  const next = random(20261121);
  let nextId = 0;
  const seqs: string[] = [];

  async function insert(count: number): Promise<void> {
    const docs = Array.from({ length: count }, () => makeDoc(nextId++, next));
    seqs.push(...docs.map((d) => d.seq));
    await indexed.insertMany(docs.map((d) => ({ ...d })));
    await plain.insertMany(docs.map((d) => ({ ...d })));
  }

  async function expectSameAnswers(rounds: number): Promise<number> {
    let compared = 0;
    for (let round = 0; round < rounds; round++) {
      for (const q of queries(next, seqs)) {
        const [got, want] = await Promise.all([run(indexed, q), run(plain, q)]);
        expect(got, `${q.name}: ${JSON.stringify(q)}`).toEqual(want);
        compared += want.length;
      }
    }
    return compared;
  }

  beforeAll(async () => {
    client = new MongoClient(testDbUri('embedded_indexes'), { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    db = client.db();
    indexed = db.collection<Doc>('indexed');
    plain = db.collection<Doc>('plain');
    // Half the documents exist before the indexes (built from the collection), half arrive after (added one by one).
    await insert(600);
    for (const index of INDEXES) await indexed.createIndex(index.keys, index.sparse ? { sparse: true } : {});
    await insert(600);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  it('lists the indexes it was given', async () => {
    const names = (await indexed.listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'a_1_b_1_seq_1', 'a_1_seq_-1', 'b_-1', 'seq_-1', 'tags_1_seq_-1', 'when_1']);
  });

  it('gives the same documents in the same order for every query shape', async () => {
    // Enough rows compared that an empty answer on both sides cannot pass for agreement.
    expect(await expectSameAnswers(6)).toBeGreaterThan(1_000);
  });

  it('keeps agreeing after updates that move documents between keys, and after deletes', async () => {
    for (let i = 0; i < 3; i++) {
      const a = A_VALUES[i]!;
      const moved = { $set: { a: A_VALUES[(i + 1) % A_VALUES.length]!, tags: [TAGS[i]!, TAGS[i + 1]!] } };
      await indexed.updateMany({ a, b: { $lt: 2 } }, moved);
      await plain.updateMany({ a, b: { $lt: 2 } }, moved);
      await indexed.updateMany({ n: { $gt: 90 } }, { $unset: { a: '' }, $set: { tags: 'gold' } });
      await plain.updateMany({ n: { $gt: 90 } }, { $unset: { a: '' }, $set: { tags: 'gold' } });
      await indexed.deleteMany({ b: 4.5 - i });
      await plain.deleteMany({ b: 4.5 - i });
      await insert(100);
    }
    expect(await indexed.countDocuments()).toBe(await plain.countDocuments());
    expect(await expectSameAnswers(4)).toBeGreaterThan(500);
  });

  it('counts, updates and deletes through a filter the same way', async () => {
    for (const a of A_VALUES) {
      expect(await indexed.countDocuments({ a, b: { $gte: 1 } })).toBe(await plain.countDocuments({ a, b: { $gte: 1 } }));
    }
    const [u1, u2] = [await indexed.updateMany({ tags: 'red' }, { $inc: { n: 1 } }), await plain.updateMany({ tags: 'red' }, { $inc: { n: 1 } })];
    expect(u1.modifiedCount).toBe(u2.modifiedCount);
    expect(u1.modifiedCount).toBeGreaterThan(0);
    const [d1, d2] = [await indexed.deleteMany({ a: 'w', seq: { $lt: 's5' } }), await plain.deleteMany({ a: 'w', seq: { $lt: 's5' } })];
    expect(d1.deletedCount).toBe(d2.deletedCount);
    expect(d1.deletedCount).toBeGreaterThan(0);
    expect(await expectSameAnswers(2)).toBeGreaterThan(100);
  });

  it('refuses a document with arrays in two fields of one index, as MongoDB does', async () => {
    await indexed.createIndex({ tags: 1, pair: 1 });
    const error = await indexed.insertOne({ _id: -1, seq: 'p', tags: ['red'], pair: [1, 2] } as Doc).catch((e: unknown) => e);
    expect(String(error)).toMatch(/parallel arrays/);
    expect(await indexed.findOne({ _id: -1 })).toBeNull();
  });
});

describe('creating indexes while the collection is in use (regression: "Unknown error: null")', () => {
  it('fails no write or read that runs while indexes are being built', async () => {
    // mongo-java-server built an index without the collection's lock, so an upsert or query running meanwhile
    // failed now and then with "Unknown error: null" (a ConcurrentModificationException in the server); mongoose
    // creates indexes while the app already works. These 200 rounds failed in most runs before the fix.
    const client = new MongoClient(testDbUri('index_race'), { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    const failures: string[] = [];
    try {
      const db = client.db();
      for (let round = 0; round < 200; round++) {
        const c = db.collection<{ _id: string; a: number; b: number }>(`race${round}`);
        const work = Array.from({ length: 150 }, (_, i) => {
          const op =
            i % 3 === 0
              ? c.updateOne({ _id: `d${i}` }, { $set: { a: i % 7, b: i } }, { upsert: true })
              : i % 3 === 1
                ? c.updateOne({ _id: `d${i - 1}`, b: { $gte: 0 } }, { $inc: { b: 1 } })
                : c.find({ a: i % 7 }).sort({ b: -1 }).limit(5).toArray();
          return op.catch((e: unknown) => void failures.push(String(e)));
        });
        await Promise.all([...work, c.createIndex({ a: 1, b: -1 }), c.createIndex({ b: 1 })]);
      }
      await db.dropDatabase();
    } finally {
      await client.close();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('the embedded server reads its secondary indexes', () => {
  const started: EmbeddedMongo[] = [];
  const tempDirs: string[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
    await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  interface Item {
    _id: string;
    k: number;
  }

  async function withCollection<T>(server: EmbeddedMongo, use: (c: Collection<Item>) => Promise<T>): Promise<T> {
    const client = new MongoClient(withDatabase(server.uri, 'indexes'), { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    try {
      return await use(client.db().collection<Item>('items'));
    } finally {
      await client.close();
    }
  }

  /** Inserted in descending k; an unsorted range query on k comes back ascending only if the index was read. */
  const DESCENDING: Item[] = Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}`, k: 50 - i }));
  const ascendingKs = (docs: Item[]) => docs.map((d) => d.k);

  it('memory backend: an unsorted range query comes back in index order', async () => {
    const server = await startEmbeddedMongo({ backend: 'memory' });
    started.push(server);
    await withCollection(server, async (items) => {
      await items.insertMany(DESCENDING);
      // Without the index the library scans in insertion order.
      expect(ascendingKs(await items.find({ k: { $gt: 10 } }).toArray())[0]).toBe(50);
      await items.createIndex({ k: 1 });
      const found = ascendingKs(await items.find({ k: { $gt: 10 } }).toArray());
      expect(found).toEqual(Array.from({ length: 40 }, (_, i) => 11 + i));
    });
  });

  it('h2 backend: indexes are rebuilt from the documents when the data file is opened again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-indexes-'));
    tempDirs.push(dataDir);
    const first = await startEmbeddedMongo({ backend: 'h2', dataDir });
    started.push(first);
    await withCollection(first, async (items) => {
      await items.createIndex({ k: 1 });
      await items.insertMany(DESCENDING);
    });
    await first.stop();

    const second = await startEmbeddedMongo({ backend: 'h2', dataDir });
    started.push(second);
    await withCollection(second, async (items) => {
      expect(ascendingKs(await items.find({ k: { $lte: 5 } }).toArray())).toEqual([1, 2, 3, 4, 5]);
      // Still maintained after the reopen: a moved key is found under its new value only.
      await items.updateOne({ k: 1 }, { $set: { k: 100 } });
      expect(ascendingKs(await items.find({ k: { $lte: 5 } }).toArray())).toEqual([2, 3, 4, 5]);
      expect(await items.find({ k: { $gte: 50 } }).sort({ k: -1 }).limit(1).toArray()).toEqual([{ _id: 'd49', k: 100 }]);
    });
  });
});
