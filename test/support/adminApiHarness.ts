import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import type { MediaStore } from '../../src/app/ports/media.ts';
import type { Application, Certificate } from '../../src/domain/certification/types.ts';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';
import { createArgon2Hasher } from '../../src/infra/passwordHasher.ts';
import type { RunningApp } from '../../src/main.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { createMongoApplicationRepository } from '../../src/store/mongo/applicationRepository.ts';
import { createMongoCertificateRepository } from '../../src/store/mongo/certificateRepository.ts';
import { createMongoDashboardCounterStore } from '../../src/store/mongo/dashboardCounters.ts';
import { keepingAllowance } from '../../src/app/console/allowanceUpkeep.ts';
import { countingApplications, countingCertificates } from '../../src/app/console/dashboardCounts.ts';
import { createMongoAllowanceStore } from '../../src/store/mongo/allowanceEntries.ts';
import { createMongoAnnualRecordRepository } from '../../src/store/mongo/annualRecordRepository.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoMediaStore } from '../../src/store/mongo/mediaStore.ts';
import { createMongoOrganizationRepository } from '../../src/store/mongo/organizationRepository.ts';
import { createMongoWorkerRepository } from '../../src/store/mongo/workerRepository.ts';
import type { WorkerRecord } from '../../src/app/ports/workerRepository.ts';
import type { OrganizationInput } from '../../src/app/ports/organizationRepository.ts';
import { content, makeIdNumber } from './engineHarness.ts';
import { sampleProfile } from './registrationScript.ts';
import { sampleApplication, sampleCertificateInput } from './certificationSamples.ts';
import { startTestAppWithDb } from './httpApp.ts';
import { TestClock } from './testClock.ts';

/**
 * The whole app on the test database, for tests of the admin API (/admin/api) over HTTP: admins with tokens,
 * applications and certificates seeded straight into the database, and a JSON client.
 */

export interface ApiResponse {
  status: number;
  headers: Headers;
  // The API answers JSON of several shapes; the assertions check them.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  raw: string;
}
export type Api = (method: string, path: string, token: string, body?: unknown, init?: { rawBody?: string }) => Promise<ApiResponse>;

export interface AdminApiApp {
  app: RunningApp;
  db: Connection;
  clock: TestClock;
  api: Api;
  /** The app's PII key (to open sealed values in a test's inspection). */
  key: Buffer;
  /** The store of kept evidence photos, with the app's own PII key. */
  media: MediaStore;
  token(name: string, regionCode: string, levels?: string[]): Promise<string>;
  /**
   * A people account with a known password (argon2id, as the app hashes) and its first token; `mustChangePassword`
   * false unless asked, as if its temporary password had been changed already.
   */
  account(input: { username: string; password: string; regionCode: string; name?: string; levels?: string[]; mustChangePassword?: boolean }): Promise<{ id: string; token: string }>;
  seed(over: Partial<Application>): Promise<Application>;
  issue(over: Partial<Omit<Certificate, 'number'>>, number: string): Promise<Certificate>;
  certificate(number: string): Promise<Certificate | null>;
  /** A registered worker (the sample profile with `over`, sealed with the app's PII key), of `org` when given; on the simulator unless `account` names another channel. */
  worker(over?: Record<string, unknown>, org?: OrganizationInput, account?: { channel: string; userId: string }): Promise<WorkerRecord>;
  stop(): Promise<void>;
}

export async function startAdminApiApp(tag: string, opts: { root?: string; env?: Record<string, string>; startAt?: Date; logDestination?: import('pino').DestinationStream } = {}): Promise<AdminApiApp> {
  // A browser keeps a session cookie only while its expiry is ahead of the real time: browser tests start now.
  const clock = new TestClock(opts.startAt ?? new Date('2026-03-01T02:00:00Z'));
  const key = randomBytes(32);
  const started = await startTestAppWithDb(tag, { PII_KEY: key.toString('base64'), ...opts.env }, { clock, ...(opts.root ? { root: opts.root } : {}), ...(opts.logDestination ? { logDestination: opts.logDestination } : {}) });
  const hasher = createArgon2Hasher();
  const db = await connectMongo(started.uri);
  const admins = createMongoAdminRepository(db);
  // Seeded through the app's counting repositories, as the use cases write: the dashboard reads the counters.
  const counters = createMongoDashboardCounterStore(db);
  const applications = countingApplications(createMongoApplicationRepository(db), counters);
  // ...and the allowance report's entries, kept up on the same writes.
  const policies = content().policies;
  const certificates = keepingAllowance({ certificates: countingCertificates(createMongoCertificateRepository(db), counters), annual: createMongoAnnualRecordRepository(db) }, createMongoAllowanceStore(db, counters), (id) => policies.get(id) ?? undefined).certificates;
  const cipher = createPiiCipher(key);
  const media = createMongoMediaStore(db, cipher);
  const workers = createMongoWorkerRepository(db, cipher);
  const organizations = createMongoOrganizationRepository(db);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  const api: Api = async (method, path, token, body, init = {}) => {
    const payload = init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(`${started.app.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const text = raw.toString('utf8');
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: json && text ? JSON.parse(text) : raw, raw: text };
  };
  let seq = 0;
  return {
    app: started.app,
    db,
    clock,
    api,
    key,
    media,
    token: async (name, regionCode, levels = []) => (await createAdmin(admins, { name, regionCode, levels }, clock.now())).token,
    account: async ({ username, password, regionCode, name = `${username} committee`, levels = [], mustChangePassword = false }) => {
      const { admin, token } = await createAdmin(admins, { name, regionCode, levels, username, passwordHash: await hasher.hash(password) }, clock.now());
      if (!mustChangePassword) await admins.update(admin.id, { mustChangePassword: false });
      return { id: admin.id, token };
    },
    seed: async (over) => {
      seq += 1;
      const app = sampleApplication({ id: `${tag}${seq}`, workerId: `w${seq}`, userId: `u${seq}`, ...over });
      await applications.create(app);
      return app;
    },
    issue: (over, number) => certificates.issue(sampleCertificateInput({ applicationId: `cert-${number}`, ...over }), 2026, () => number),
    certificate: (number) => certificates.get(number),
    worker: async (over = {}, org, account) => {
      seq += 1;
      const orgId = org ? (await organizations.upsert(org, clock.now())).id : null;
      const created = await workers.create(account?.channel ?? 'sim', account?.userId ?? `${tag}-worker${seq}`, sampleProfile(makeIdNumber('320102', '19850312', String(100 + seq)), over), clock.now(), orgId);
      if (created.status !== 'created') throw new Error(`sample worker not created: ${created.status}`);
      return created.worker;
    },
    stop: async () => {
      await db.close();
      await started.app.stop();
    },
  };
}
