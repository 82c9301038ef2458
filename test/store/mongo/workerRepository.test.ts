import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoWorkerRepository, removePlaintextBirthFacts } from '../../../src/store/mongo/workerRepository.ts';
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

  it('regression: birth date and gender were stored in plaintext next to the sealed ID number', async () => {
    const { connection, repo } = await fresh();
    await repo.create('sim', 'u1', sampleProfile(), new Date());
    const raw = await connection.db!.collection('workers').findOne({});
    expect(raw).not.toBeNull();
    expect(Object.keys(raw!)).not.toContain('birthDate');
    expect(Object.keys(raw!)).not.toContain('gender');
    const text = JSON.stringify(raw);
    expect(text).not.toContain('1985-03-12');
    expect(text).not.toContain('male');
    // Still there for everyone who reads a worker: derived from the decrypted ID number.
    expect(await repo.findByAccount('sim', 'u1')).toMatchObject({ birthDate: '1985-03-12', gender: 'male' });
  });

  it('removes the plaintext copies older versions stored, at start-up and on the next update', async () => {
    const { connection, repo } = await fresh();
    const workers = connection.db!.collection('workers');
    await repo.create('sim', 'u1', sampleProfile(), new Date());
    await repo.create('sim', 'u2', sampleProfile('11010519491231002X', '13900002222'), new Date());
    // As an older version left them; a stale copy disagreeing with the ID number must not win either.
    await workers.updateMany({}, { $set: { birthDate: '1999-01-01', gender: 'female' } });
    expect(await repo.findByAccount('sim', 'u1')).toMatchObject({ birthDate: '1985-03-12', gender: 'male' });

    await repo.update('sim', 'u1', { orgName: '新单位' }, new Date());
    expect(await workers.countDocuments({ birthDate: { $exists: true } })).toBe(1);

    expect(await removePlaintextBirthFacts(connection)).toBe(1);
    expect(await workers.countDocuments({ $or: [{ birthDate: { $exists: true } }, { gender: { $exists: true } }] })).toBe(0);
    expect(await removePlaintextBirthFacts(connection)).toBe(0);
    expect(await repo.findByAccount('sim', 'u2')).toMatchObject({ birthDate: '1949-12-31', gender: 'female' });
  });
});
