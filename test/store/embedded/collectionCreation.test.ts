/**
 * Creating a collection while another connection creates an index on it (mongoose's autoCreate sends `create` for a
 * model while its `createIndexes`, agenda's, or a first insert reach the same collection). The library checks for
 * the collection and creates it in two steps on the `create` path, and only the implicit path holds the database's
 * lock, so both could create it: one command failed with a duplicate key on `system.namespaces`, or the index
 * landed on a collection object that the other one then replaced, leaving the visible collection without it.
 */
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const withServer = ownEmbeddedServers('creation');
const ROUNDS = 40;
/** NamespaceExists: the `create` that lost the race is told so, which mongoose ignores. */
const NAMESPACE_EXISTS = 48;

interface Outcome {
  name: string;
  errors: string[];
  indexes: string[];
  listed: number;
  duplicateRefused: boolean;
}

/** One round: `create` and a unique `createIndexes` on a new collection, sent at once over two connections. */
async function round(a: Db, b: Db, name: string): Promise<Outcome> {
  const errors: string[] = [];
  const settled = await Promise.allSettled([
    a.createCollection(name),
    b.collection(name).createIndex({ key: 1 }, { unique: true, name: 'key_1' }),
  ]);
  for (const result of settled) {
    if (result.status === 'rejected') {
      const error = result.reason as Error;
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) errors.push(error.message);
    }
  }
  const indexes = (await a.collection(name).listIndexes().toArray()).map((index) => String(index['name'])).sort();
  // Counted here: the library's listCollections ignores a filter.
  const listed = (await a.listCollections().toArray()).filter((c) => c.name === name).length;
  await a.collection(name).insertOne({ key: 1 });
  const duplicateRefused = await a
    .collection(name)
    .insertOne({ key: 1 })
    .then(() => false, (error: unknown) => error instanceof MongoServerError && error.code === 11000);
  return { name, errors, indexes, listed, duplicateRefused };
}

async function race(uri: string, dbName: string): Promise<Outcome[]> {
  // Two clients, so the two commands travel on different connections and reach different server threads.
  const [first, second] = await Promise.all([MongoClient.connect(uri), MongoClient.connect(uri)]);
  try {
    const a = first.db(dbName);
    const b = second.db(dbName);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < ROUNDS; i++) outcomes.push(await round(a, b, `c${i}`));
    return outcomes;
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

const expected = (outcomes: Outcome[]): Outcome[] =>
  outcomes.map(({ name }) => ({ name, errors: [], indexes: ['_id_', 'key_1'], listed: 1, duplicateRefused: true }));

describe('embedded server: a collection created while an index is created on it', () => {
  for (const backend of ['memory', 'h2'] as const) {
    it(`regression: create and createIndexes at once failed or lost the index (${backend})`, async () => {
      const outcomes = await withServer(backend, (server, db) => race(server.uri, db.databaseName));
      expect(outcomes).toEqual(expected(outcomes));
    }, 120_000);
  }
});
