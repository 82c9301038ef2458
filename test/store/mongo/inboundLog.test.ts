import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import type { InboundLog } from '../../../src/app/ports/inboundLog.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoInboundLog } from '../../../src/store/mongo/inboundLog.ts';
import { TEST_PII_KEY } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';

let connection: Connection;
let log: InboundLog;
const now = new Date('2026-03-01T02:00:00Z');

beforeAll(async () => {
  connection = await connectMongo(testDbUri('inbound_log'));
  log = createMongoInboundLog(connection, createPiiCipher(TEST_PII_KEY), 3600);
  await connection.models.InboundMessage!.init();
});
afterAll(() => connection.close());

describe('Mongo inbound log (dedupe)', () => {
  it('sees a message id once: new, then processing, then done with the same replies', async () => {
    expect(await log.begin('sim', 'm1', now)).toEqual({ kind: 'new' });
    expect(await log.begin('sim', 'm1', now)).toEqual({ kind: 'processing' });
    await log.complete('sim', 'm1', [{ text: '你好 13812345678' }]);
    expect(await log.begin('sim', 'm1', now)).toEqual({ kind: 'done', replies: [{ text: '你好 13812345678' }] });
    // The same id on another channel is another message.
    expect(await log.begin('telegram', 'm1', now)).toEqual({ kind: 'new' });
  });

  it('lets exactly one of many concurrent deliveries of one id through', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => log.begin('sim', 'race', now)));
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
  });

  it('forgets an abandoned message so a redelivery is processed', async () => {
    await log.begin('sim', 'm2', now);
    await log.abandon('sim', 'm2');
    expect(await log.begin('sim', 'm2', now)).toEqual({ kind: 'new' });
  });

  it('seals stored replies and purges old records', async () => {
    await log.begin('sim', 'm3', now);
    await log.complete('sim', 'm3', [{ text: '身份证 320102198503121234' }]);
    const raw = await connection.db!.collection('inbound_messages').findOne({ _id: 'sim:m3' as never });
    expect(JSON.stringify(raw)).not.toContain('320102198503121234');
    await log.begin('sim', 'fresh', new Date(now.getTime() + 7200_000));
    const purged = await log.purgeOlderThan(new Date(now.getTime() + 3600_000));
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await log.peek('sim', 'm3')).toEqual({ kind: 'new' });
    expect(await log.peek('sim', 'fresh')).toEqual({ kind: 'processing' });
  });
});
