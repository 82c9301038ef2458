import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoWorkerRepository } from '../../../src/store/mongo/workerRepository.ts';
import { TEST_PII_KEY } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { sampleProfile, workerRepositoryContract } from '../workerRepositoryContract.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));

async function fresh() {
  const connection = await connectMongo(testDbUri('workers'));
  connections.push(connection);
  const repo = createMongoWorkerRepository(connection, createPiiCipher(TEST_PII_KEY));
  await connection.models.Worker!.init();
  return { connection, repo };
}

workerRepositoryContract('MongoDB', async () => (await fresh()).repo);

describe('Mongo worker repository at rest', () => {
  it('stores ID and mobile numbers only as ciphertext and HMAC', async () => {
    const { connection, repo } = await fresh();
    await repo.create('sim', 'u1', sampleProfile(), new Date());
    const raw = await connection.db!.collection('workers').findOne({});
    const text = JSON.stringify(raw);
    expect(text).not.toContain('320102198503121234');
    expect(text).not.toContain('13812345678');
    expect(raw).toMatchObject({ idCipher: expect.stringMatching(/^v1\./), mobileCipher: expect.stringMatching(/^v1\./), idHmac: expect.any(String) });
  });

  it('cannot read the data with another key (the key really is the key)', async () => {
    const { connection, repo } = await fresh();
    await repo.create('sim', 'u1', sampleProfile(), new Date());
    const other = createMongoWorkerRepository(connection, createPiiCipher(Buffer.alloc(32, 7)));
    // Lookups by HMAC miss with the wrong key, and decryption fails instead of returning garbage.
    expect(await other.findByIdNumber('320102198503121234')).toBeNull();
    await expect(other.findByAccount('sim', 'u1')).rejects.toThrow();
  });
});
