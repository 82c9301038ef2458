import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoMediaStore, MAX_MEDIA_BYTES, sha256Hex } from '../../../src/store/mongo/mediaStore.ts';
import { testDbUri } from '../../support/db.ts';

/** Kept evidence photos in the real (embedded) database. */
let connection: Connection;
const cipher = createPiiCipher(Buffer.alloc(32, 7));

beforeAll(async () => {
  connection = await connectMongo(testDbUri('media_store'));
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('320102198503121234 printed on the photo')]);

describe('mongo media store', () => {
  it('keeps a picture sealed and gives it back whole, with its size and hash', async () => {
    const store = createMongoMediaStore(connection, cipher);
    await store.put({ ref: 'wechat-media:M1', contentType: 'image/jpeg', bytes: photo, storedAt: '2026-03-01T02:00:00.000Z' });
    const got = await store.get('wechat-media:M1');
    expect(got).toMatchObject({ ref: 'wechat-media:M1', contentType: 'image/jpeg', size: photo.length, sha256: sha256Hex(photo), storedAt: '2026-03-01T02:00:00.000Z' });
    expect(got!.bytes.equals(photo)).toBe(true);
    const raw = await connection.db!.collection('media').findOne({ _id: 'wechat-media:M1' as never });
    const sealed = Buffer.from((raw!.sealed as { buffer: Uint8Array }).buffer);
    expect(sealed.includes(Buffer.from('320102198503121234'))).toBe(false);
    expect(await store.get('wechat-media:none')).toBeNull();
  });

  it('keeps the first copy when the same reference is put again (a retried job)', async () => {
    const store = createMongoMediaStore(connection, cipher);
    await store.put({ ref: 'telegram:F1', contentType: 'image/jpeg', bytes: photo, storedAt: '2026-03-01T02:00:00.000Z' });
    await store.put({ ref: 'telegram:F1', contentType: 'image/png', bytes: Buffer.from('other'), storedAt: '2026-03-02T02:00:00.000Z' });
    expect(await store.get('telegram:F1')).toMatchObject({ contentType: 'image/jpeg', size: photo.length });
  });

  it('refuses a picture over the size limit, and keeps nothing of it', async () => {
    const store = createMongoMediaStore(connection, cipher);
    await expect(store.put({ ref: 'wechat-media:BIG', contentType: 'image/jpeg', bytes: Buffer.alloc(MAX_MEDIA_BYTES + 1), storedAt: '2026-03-01T02:00:00.000Z' })).rejects.toThrow(/the most kept is/);
    expect(await store.get('wechat-media:BIG')).toBeNull();
  });

  it('cannot be read with another PII key', async () => {
    await createMongoMediaStore(connection, cipher).put({ ref: 'wechat-media:K', contentType: 'image/png', bytes: photo, storedAt: '2026-03-01T02:00:00.000Z' });
    await expect(createMongoMediaStore(connection, createPiiCipher(Buffer.alloc(32, 8))).get('wechat-media:K')).rejects.toThrow();
  });
});
