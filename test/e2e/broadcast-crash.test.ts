/**
 * Crash safety of a broadcast: the app (a real child process, as `npm start` runs it) is killed with SIGKILL,
 * together with its embedded database, in the middle of a broadcast, and started again on the same data. The
 * broadcast then finishes; the platform's received messages (the simulator's outbox, which the app writes as its
 * platform call) are counted per recipient: none lost, none twice except the sends that were in flight at the
 * kill (marked unknown and resent by the broadcast's setting), and those at most the sender's concurrency.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';
import { startEmbeddedMongo } from '../../src/store/embedded/launcher.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoWorkerRepository } from '../../src/store/mongo/workerRepository.ts';
import { CHILD_START_TIMEOUT_MS, killGroup, startChildApp, type RunningChild } from '../support/childApp.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { sampleProfile } from '../support/registrationScript.ts';

const RECIPIENTS = 300;
const CONCURRENCY = 4;

/** The app's database, opened by the test itself while the app is not running. */
async function withDatabase<T>(dataDir: string, f: (uri: string) => Promise<T>): Promise<T> {
  const db = await startEmbeddedMongo({ backend: 'h2', dataDir, startTimeoutMs: CHILD_START_TIMEOUT_MS });
  try {
    return await f(`${db.uri.replace(/\/$/, '')}/redcollar`);
  } finally {
    await db.stop();
  }
}

// The API answers JSON of several shapes; the assertions check them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(app: RunningChild, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.baseUrl}/admin/api${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() };
}

describe('broadcast crash safety', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'a broadcast killed mid-way (SIGKILL of app and database) and restarted reaches everyone, twice only for sends in flight at the kill',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-broadcast-crash-'));
      dirs.push(dataDir);
      const key = randomBytes(32);
      const env = { PII_KEY: key.toString('base64'), BROADCAST_LEASE_SECONDS: '2', BROADCAST_TICK_SECONDS: '1', BROADCAST_CONCURRENCY: String(CONCURRENCY), BROADCAST_BATCH_SIZE: '20', BROADCAST_APPROVAL_THRESHOLD: '100000' };

      // The workers and an admin token, written before the app first starts (the app creates its indexes itself).
      const token = await withDatabase(dataDir, async (uri) => {
        const connection = await connectMongo(uri);
        try {
          const workers = createMongoWorkerRepository(connection, createPiiCipher(key));
          const admins = createMongoAdminRepository(connection);
          await Promise.all(Object.values(connection.models).map((m) => m.init()));
          for (let i = 0; i < RECIPIENTS; i++) {
            const r = await workers.create('sim', `crash-${i}`, sampleProfile(makeIdNumber('320102', '19850312', String(100 + i)), { name: `工作者${i}` }), new Date('2026-01-01T00:00:00Z'));
            if (r.status !== 'created') throw new Error(r.status);
          }
          return (await createAdmin(admins, { name: '南京市两新工委', regionCode: '320100', levels: [] }, new Date())).token;
        } finally {
          await connection.close();
        }
      });

      let app = await startChildApp(dataDir, env);
      let id: string;
      let atKill: { status: string; counts: Record<string, number> };
      try {
        const created = await api(app, token, 'POST', '/broadcasts', { text: { 'zh-CN': '{name}同志：请于本周内完成年度学时登记。' }, segment: { region: '320102' }, inFlight: 'resend', urgent: true });
        expect(created.status).toBe(201);
        id = created.body.id;
        expect((await api(app, token, 'POST', `/broadcasts/${id}/send`)).body.status).toBe('sending');
        // Urgent: the child runs on the real clock, and quiet hours must not decide whether this test sends.
        // Kill once some batches are done: the run is between platform calls then, with sends in flight.
        for (let i = 0; ; i++) {
          atKill = (await api(app, token, 'GET', `/broadcasts/${id}`)).body;
          if ((atKill.counts.sent ?? 0) >= RECIPIENTS / 4) break;
          if (i > 6000) throw new Error('the broadcast did not start sending');
          await sleep(5);
        }
      } finally {
        await killGroup(app);
      }
      expect(atKill.status).toBe('sending');
      expect(atKill.counts.sent).toBeLessThan(RECIPIENTS);

      app = await startChildApp(dataDir, env);
      let final: { status: string; total: number; counts: Record<string, number> };
      try {
        for (let i = 0; ; i++) {
          final = (await api(app, token, 'GET', `/broadcasts/${id}`)).body;
          if (final.status === 'done') break;
          if (i > 1200) throw new Error(`the broadcast did not finish after the restart: ${JSON.stringify(final)}`);
          await sleep(50);
        }
      } finally {
        await killGroup(app);
      }
      expect(final).toMatchObject({ status: 'done', total: RECIPIENTS, counts: { sent: RECIPIENTS, pending: 0, sending: 0, unknown: 0, failed: 0, skipped: 0 } });

      const { perUser, resent } = await withDatabase(dataDir, async (uri) => {
        const connection = await connectMongo(uri);
        try {
          const rows = await connection.db!.collection('sim_outbox').aggregate<{ _id: string; n: number }>([{ $group: { _id: '$userId', n: { $sum: 1 } } }]).toArray();
          const resentCount = await connection.db!.collection('broadcast_deliveries').countDocuments({ broadcastId: id, resentAfterCrash: true });
          return { perUser: new Map(rows.map((r) => [r._id, r.n])), resent: resentCount };
        } finally {
          await connection.close();
        }
      });
      const lost = Array.from({ length: RECIPIENTS }, (_, i) => `crash-${i}`).filter((u) => !perUser.has(u));
      const twice = [...perUser].filter(([, n]) => n > 1);
      expect(lost).toEqual([]);
      expect(twice.every(([, n]) => n === 2)).toBe(true);
      expect(twice.length).toBeLessThanOrEqual(resent);
      expect(resent).toBeLessThanOrEqual(CONCURRENCY);
    },
    300_000,
  );
});
