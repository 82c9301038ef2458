import { afterAll, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoReplayGuard } from '../../../src/store/mongo/replayGuard.ts';
import { testDbUri } from '../../support/db.ts';
import { replayGuardContract } from '../replayGuardContract.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));

// Each guard on its own connection to one database: what two instances of the app see.
const uri = testDbUri('replay_guard');
async function instance() {
  const connection = await connectMongo(uri);
  connections.push(connection);
  const guard = createMongoReplayGuard(connection);
  await connection.models.SignedNonce!.init();
  return { connection, guard };
}

replayGuardContract('MongoDB', async () => {
  const { connection, guard } = await instance();
  await connection.db!.collection('signed_nonces').deleteMany({});
  return guard;
});

it('MongoDB: a pair claimed by one instance is known to another, and expires by a TTL index', async () => {
  const a = await instance();
  const b = await instance();
  const expires = new Date(Date.UTC(2026, 2, 1, 2, 10));
  expect(await a.guard.claim('wechat-oa:wx9', '1772330400', 'shared', 'digest-a', expires)).toBe('first');
  expect(await b.guard.claim('wechat-oa:wx9', '1772330400', 'shared', 'digest-b', expires)).toBe('reused');
  expect(await b.guard.claim('wechat-oa:wx9', '1772330400', 'shared', 'digest-a', expires)).toBe('again');
  const indexes = await a.connection.db!.collection('signed_nonces').indexes();
  expect(indexes.find((i) => i.key.expiresAt === 1)?.expireAfterSeconds).toBe(0);
});
