/**
 * Queries that name a unique key and add conditions (src/store/embedded/IndexedBackends.java, byUniqueKey).
 *
 * mongo-java-server uses a unique index only for a query with exactly the index's fields, so the conversation
 * store's lease filter (`_id` + dedupe + lease) and commit filter (`_id` + lease owner + version) read every
 * document of the collection on every turn. The server now finds the candidate by the key and lets the library's
 * matcher decide. These tests start their own servers: the full-scan count they read is per server.
 */
import type { Db, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { newConversation } from '../../../src/engine/index.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoConversationStore } from '../../../src/store/mongo/conversationStore.ts';
import { TEST_PII_KEY } from '../../support/appHarness.ts';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const withServer = ownEmbeddedServers('lookup');

interface Item {
  _id: string | number | { k: number };
  n?: number;
  tags?: string[] | string;
  owner?: string | null;
  code?: string | null;
}

async function fullScans(db: Db): Promise<number> {
  const stats = await db.command({ embeddedPlanStats: 1 });
  return Number(stats['fullScans']);
}

describe.each(['memory', 'h2'] as const)('embedded server (%s): a query naming a unique key', (backend) => {
  it('regression: every conversation turn scanned the whole conversations collection', async () => {
    await withServer(backend, async (server, db) => {
      let connection: Connection | undefined;
      try {
        connection = await connectMongo(`${server.uri}lookup`);
        const store = createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY));
        // As the app does before serving: the collection and its indexes exist before the first turn.
        await Promise.all(Object.values(connection.models).map((m) => m.init()));
        const now = new Date('2026-03-01T02:00:00Z');
        // Other users' conversations, which a scan would read.
        for (let i = 0; i < 30; i++) {
          const begun = await store.begin('sim', `other${i}`, `m${i}`, `o${i}`, now, 30_000);
          expect(begun.kind).toBe('turn');
          await store.commit(newConversation('sim', `other${i}`, 'zh-CN', now), `o${i}`, { messageId: `m${i}`, replies: [] });
        }
        const before = await fullScans(db);
        for (let turn = 0; turn < 3; turn++) {
          const begun = await store.begin('sim', 'u1', `t${turn}`, `owner${turn}`, now, 30_000);
          if (begun.kind !== 'turn') throw new Error(`turn ${turn} was taken for a repeat`);
          const state = begun.state ?? newConversation('sim', 'u1', 'zh-CN', now);
          await store.commit({ ...state, stepId: `step${turn}` }, `owner${turn}`, { messageId: `t${turn}`, replies: [{ text: `reply ${turn}` }] });
        }
        // The repeat of a handled message is still recognised, and answered with its stored replies.
        expect(await store.begin('sim', 'u1', 't2', 'late', now, 30_000)).toEqual({ kind: 'repeat', replies: [{ text: 'reply 2' }] });
        expect(await fullScans(db)).toBe(before);
      } finally {
        await connection?.close();
      }
    });
  });

  it('gives the same answers as the library’s scan, and still scans what it cannot look up by key', async () => {
    await withServer(backend, async (_server, db) => {
      const items = db.collection<Item>('items');
      await items.insertMany([
        { _id: 'a', n: 1, tags: ['x', 'y'], owner: null },
        { _id: 'b', n: 2.5, tags: 'x', owner: 'o' },
        { _id: 7, n: 3 },
        { _id: { k: 1 }, n: 4 },
      ]);
      await items.createIndex({ code: 1 }, { unique: true, sparse: true });
      await items.updateOne({ _id: 'b' }, { $set: { code: 'B' } });
      const queries: Filter<Item>[] = [
        { _id: 'a', n: 1 },
        { _id: 'a', n: 2 },
        { _id: 'a', tags: 'y', owner: null },
        { _id: 'a', tags: { $ne: 'z' }, $or: [{ owner: null }, { owner: { $lt: 'p' } }] },
        { _id: 'b', owner: 'o', n: { $gt: 2 } },
        { _id: 7.0, n: 3 },
        { _id: 7, n: { $in: [3, 4] } },
        { _id: 'zz', n: 1 },
        { code: 'B', n: 2.5 },
        { code: 'C', n: 2.5 },
        { _id: { $in: ['a', 'b'] }, n: { $gt: 0 } },
        { _id: { $eq: 7 }, n: 3 },
      ];
      const byKey = await fullScans(db);
      for (const query of queries) {
        const found = await items.find(query).toArray();
        // `$and` hides the key from every index: the library's own full scan, the reference answer.
        const scanned = await items.find({ $and: [query] }).toArray();
        expect(found, JSON.stringify(query)).toEqual(scanned);
      }
      // Every reference query scanned; none of the keyed ones did.
      expect(await fullScans(db)).toBe(byKey + queries.length);

      // Values that are not plain keys go to the library as before (and are scanned, as before).
      const unkeyed: Filter<Item>[] = [{ _id: /^a/, n: 1 }, { _id: { $in: ['a', null] }, n: 1 } as unknown as Filter<Item>, { _id: { k: 1 }, n: 4 }, { code: null, n: 1 }];
      for (const query of unkeyed) {
        expect((await items.find(query).toArray()).length, JSON.stringify(query)).toBe((await items.find({ $and: [query] }).toArray()).length);
      }
    });
  });
});
