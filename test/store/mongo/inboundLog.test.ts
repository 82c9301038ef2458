import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import type { InboundLog } from '../../../src/app/ports/inboundLog.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoInboundLog } from '../../../src/store/mongo/inboundLog.ts';
import { testDbUri } from '../../support/db.ts';

let connection: Connection;
let log: InboundLog;
const now = new Date('2026-03-01T02:00:00Z');

beforeAll(async () => {
  connection = await connectMongo(testDbUri('inbound_log'));
  log = createMongoInboundLog(connection, 3600);
  await connection.models.InboundMessage!.init();
});
afterAll(() => connection.close());

describe('Mongo inbound log (dedupe)', () => {
  it('claims a message id once per channel', async () => {
    expect(await log.claim('sim', 'm1', now)).toBe(true);
    expect(await log.claim('sim', 'm1', now)).toBe(false);
    expect(await log.seen('sim', 'm1')).toBe(true);
    // The same id on another channel is another message.
    expect(await log.claim('telegram', 'm1', now)).toBe(true);
  });

  it('lets exactly one of many concurrent deliveries of one id through', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => log.claim('sim', 'race', now)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('forgets an abandoned message so a redelivery is processed', async () => {
    await log.claim('sim', 'm2', now);
    await log.abandon('sim', 'm2');
    expect(await log.seen('sim', 'm2')).toBe(false);
    expect(await log.claim('sim', 'm2', now)).toBe(true);
  });

  it('has an expiring index and purges old records itself', async () => {
    const indexes = await connection.db!.collection('inbound_messages').indexes();
    expect(indexes.find((i) => i.key.createdAt === 1)?.expireAfterSeconds).toBe(3600);
    await log.claim('sim', 'old', now);
    await log.claim('sim', 'fresh', new Date(now.getTime() + 7200_000));
    expect(await log.purgeOlderThan(new Date(now.getTime() + 3600_000))).toBeGreaterThanOrEqual(1);
    expect(await log.seen('sim', 'old')).toBe(false);
    expect(await log.seen('sim', 'fresh')).toBe(true);
  });
});
