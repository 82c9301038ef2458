/**
 * The certificates page before any search (consoleReads recentCertificates): the region's certificates, newest
 * issued first, a keyset page at a time from the (regionPath, issuedOn, _id) index. Its own embedded server, since
 * the plan counters it reads are per server.
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

const withServer = ownEmbeddedServers('recentcerts');
const IN_REGION = 90;
const PAGE = 20;

async function candidatesRead(db: Db): Promise<number> {
  return Number((await db.command({ embeddedPlanStats: 1 }))['candidatesRead']);
}

/** Issued on one of 30 days, three a day (ties on the day are ordered by number), numbered in no date order. */
const dayOf = (i: number) => `2025-${String(1 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 3) * 9).padStart(2, '0')}`;

describe('recent certificates of a region', () => {
  it('pages the region’s certificates newest first, each page read from the index', async () => {
    await withServer('memory', async (server, db) => {
      let connection: Connection | undefined;
      try {
        connection = await connectMongo(`${server.uri}recentcerts`);
        const counters = createMongoDashboardCounterStore(connection);
        const certificates = countingCertificates(createMongoCertificateRepository(connection), counters);
        await Promise.all(Object.values(connection.models).map((m) => m.init()));
        for (let i = 0; i < IN_REGION; i++) {
          await certificates.issue(sampleCertificateInput({ applicationId: `r${i}`, workerId: `w${i}`, regionCode: '320102', issuedOn: dayOf(i) }), 2025, () => `R${String((i * 37) % 1000).padStart(4, '0')}`);
        }
        // Elsewhere, and newer than all of them: never listed for Nanjing.
        await certificates.issue(sampleCertificateInput({ applicationId: 'far', workerId: 'far', regionCode: '320505', issuedOn: '2026-06-01' }), 2026, () => 'S0001');
        const reads = createMongoConsoleReads(connection, counters);
        const scope = { regionPrefix: '3201', levels: null };

        const seen: { issuedOn: string; number: string }[] = [];
        let before: { issuedOn: string; number: string } | undefined;
        const reads_: number[] = [];
        for (;;) {
          const start = await candidatesRead(db);
          const page = await reads.recentCertificates({ scope, ...(before ? { before } : {}), limit: PAGE + 1 });
          reads_.push((await candidatesRead(db)) - start);
          const shown = page.slice(0, PAGE);
          seen.push(...shown.map((c) => ({ issuedOn: c.issuedOn, number: c.number })));
          if (page.length <= PAGE) break;
          before = { issuedOn: shown.at(-1)!.issuedOn, number: shown.at(-1)!.number };
        }
        const expected = [...seen].sort((a, b) => b.issuedOn.localeCompare(a.issuedOn) || b.number.localeCompare(a.number));
        expect(seen).toEqual(expected);
        expect(seen).toHaveLength(IN_REGION);
        expect(new Set(seen.map((c) => c.number)).size).toBe(IN_REGION);
        expect(seen.some((c) => c.number === 'S0001')).toBe(false);
        // Each page reads about its own rows, never the region's 90: the page and one more (is there a next page?), the
        // rest of the cursor's day (three a day here), and the look past each of the two ranges' ends.
        for (const n of reads_) expect(n).toBeLessThanOrEqual(PAGE + 1 + 3 + 2);
      } finally {
        await connection?.close();
      }
    });
  });
});
