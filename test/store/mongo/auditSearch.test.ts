/**
 * The console's audit search (consoleReads.searchAudit) on the embedded server: each page is a seek on an index
 * ending in (at, _id), read no further than the page. These tests start their own servers: the plan counters
 * (`embeddedPlanStats`) are per server.
 */
import type { Db } from 'mongodb';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoAuditLog } from '../../../src/store/mongo/auditLog.ts';
import { createMongoConsoleReads } from '../../../src/store/mongo/consoleReads.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoDashboardCounterStore } from '../../../src/store/mongo/dashboardCounters.ts';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const withServer = ownEmbeddedServers('auditsearch');

async function planStats(db: Db): Promise<{ fullScans: number; candidatesRead: number }> {
  const stats = await db.command({ embeddedPlanStats: 1 });
  return { fullScans: Number(stats['fullScans']), candidatesRead: Number(stats['candidatesRead']) };
}

const ENTRIES = 240;
/** Each test starts its own database server (a JVM), which on a loaded 2-core machine alone can take half a minute. */
const OWN_SERVER_MS = 120_000;
const PAGE = 20;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** Entries of two cities' admins; every third shares its millisecond with the one before, so ties on `at` are paged by _id. */
function entries() {
  return Array.from({ length: ENTRIES }, (_, i) => ({
    _id: new ObjectId((0x10000000 + ((i * 7919) % ENTRIES)).toString(16).padStart(24, '0')),
    at: new Date(T0 + (i - (i % 3 === 2 ? 1 : 0)) * 1000),
    adminId: i % 2 ? 'a1' : 'a2',
    regionPath: i % 2 ? ['32', '3201'] : ['32', '3202'],
    action: i % 5 ? 'advance' : 'return',
    target: `application:${i}`,
    outcome: 'done',
  }));
}

type Row = ReturnType<typeof entries>[number];
const newestFirst = (a: Row, b: Row) => b.at.getTime() - a.at.getTime() || b._id.toHexString().localeCompare(a._id.toHexString());

type Reads = ReturnType<typeof createMongoConsoleReads>;

/**
 * A memory-backend server of its own (its query planning is the H2 backend's, IndexedBackends, without the disk
 * writes) holding `entries()`, with every model's indexes built: an index build still running would count as a scan.
 */
async function withAuditLog(run: (reads: Reads, db: Db, all: Row[]) => Promise<void>): Promise<void> {
  await withServer('memory', async (server, db) => {
    const connection = await connectMongo(`${server.uri}auditsearch`);
    try {
      createMongoAuditLog(connection);
      await connection.models['AuditEntry']!.init();
      const all = entries();
      await db.collection('audit_log').insertMany(all);
      const reads = createMongoConsoleReads(connection, createMongoDashboardCounterStore(connection));
      await Promise.all(Object.values(connection.models).map((m) => m.init()));
      await run(reads, db, all);
    } finally {
      await connection.close();
    }
  });
}

describe('audit search on the embedded server', () => {
  it('regression: the audit page read the whole audit log to sort it', async () => {
    await withAuditLog(async (reads, db, all) => {

        for (const [prefix, action] of [['3201', undefined], ['', undefined], ['3201', 'return']] as const) {
          const expected = all.filter((e) => (prefix === '' || e.regionPath.includes(prefix)) && (!action || e.action === action)).sort(newestFirst);
          const seen: string[] = [];
          let before: { at: Date; id: string } | undefined;
          for (let page = 0; page < 3; page++) {
            const start = await planStats(db);
            const rows = await reads.searchAudit({ regionPrefix: prefix, ...(action ? { action } : {}), ...(before ? { before } : {}), limit: PAGE });
            const end = await planStats(db);
            expect(end.fullScans).toBe(start.fullScans);
            // The page, and the entries sharing the cursor's millisecond: never the region's whole trail.
            expect(end.candidatesRead - start.candidatesRead).toBeLessThanOrEqual(PAGE + 3);
            seen.push(...rows.map((r) => r.id));
            const last = rows.at(-1);
            if (!last) break;
            before = { at: new Date(last.at), id: last.id };
          }
          expect(seen).toEqual(expected.slice(0, 3 * PAGE).map((e) => e._id.toHexString()));
          expect(seen.length).toBeGreaterThan(PAGE);
        }
    });
  }, OWN_SERVER_MS);

  it('pages through a time window to its end, every entry once, in (at, _id) order', async () => {
    await withAuditLog(async (reads, _db, all) => {
        const from = new Date(T0 + 100_000);
        const to = new Date(T0 + 400_000);
        const expected = all.filter((e) => e.regionPath.includes('3202') && e.at >= from && e.at < to).sort(newestFirst);
        const seen: string[] = [];
        let before: { at: Date; id: string } | undefined;
        for (;;) {
          const rows = await reads.searchAudit({ regionPrefix: '3202', from, to, ...(before ? { before } : {}), limit: 7 });
          seen.push(...rows.map((r) => r.id));
          if (rows.length < 7) break;
          before = { at: new Date(rows.at(-1)!.at), id: rows.at(-1)!.id };
        }
        expect(seen).toEqual(expected.map((e) => e._id.toHexString()));
    });
  }, OWN_SERVER_MS);
});
