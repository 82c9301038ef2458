/**
 * The console's certificate search by the holder's name (src/app/console/certificates.ts → consoleReads
 * searchCertificates with the named workers' ids): it reads those workers' certificates in the region, not the
 * region's. Its own embedded server, since the plan counters it reads are per server.
 */
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { countingCertificates } from '../../../src/app/console/dashboardCounts.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { createMongoConsoleReads } from '../../../src/store/mongo/consoleReads.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoDashboardCounterStore } from '../../../src/store/mongo/dashboardCounters.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const withServer = ownEmbeddedServers('namesearch');
const OTHERS = 120;

async function candidatesRead(db: Db): Promise<number> {
  return Number((await db.command({ embeddedPlanStats: 1 }))['candidatesRead']);
}

describe('certificate search by the holder', () => {
  it('regression: the certificate search by name read every certificate of the region', async () => {
    await withServer('memory', async (server, db) => {
      let connection: Connection | undefined;
      try {
        connection = await connectMongo(`${server.uri}namesearch`);
        const counters = createMongoDashboardCounterStore(connection);
        const certificates = countingCertificates(createMongoCertificateRepository(connection), counters);
        await Promise.all(Object.values(connection.models).map((m) => m.init()));
        for (let i = 0; i < OTHERS; i++) {
          await certificates.issue(sampleCertificateInput({ applicationId: `o${i}`, workerId: `other${i}`, regionCode: '320102' }), 2026, () => `N${String(i).padStart(4, '0')}`);
        }
        await certificates.issue(sampleCertificateInput({ applicationId: 'named1', workerId: 'named', regionCode: '320102' }), 2026, () => 'N9001');
        await certificates.issue(sampleCertificateInput({ applicationId: 'named2', workerId: 'named', regionCode: '320505' }), 2026, () => 'N9002');
        const reads = createMongoConsoleReads(connection, counters);
        const before = await candidatesRead(db);
        const found = await reads.searchCertificates({ scope: { regionPrefix: '3201', levels: null }, workerIds: ['named', 'nobody'], limit: 21 });
        const read = (await candidatesRead(db)) - before;
        expect(found.map((c) => c.number)).toEqual(['N9001']);
        // The two certificates of the named worker at most, not the region's 121.
        expect(read).toBeLessThanOrEqual(2);
      } finally {
        await connection?.close();
      }
    });
  });
});
