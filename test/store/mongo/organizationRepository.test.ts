import { afterAll } from 'vitest';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoOrganizationRepository } from '../../../src/store/mongo/organizationRepository.ts';
import { testDbUri } from '../../support/db.ts';
import { organizationRepositoryContract } from '../organizationRepositoryContract.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));

organizationRepositoryContract('MongoDB', async () => {
  const connection = await connectMongo(testDbUri('organizations'));
  connections.push(connection);
  const repo = createMongoOrganizationRepository(connection);
  await connection.models.Organization!.init();
  return repo;
});
