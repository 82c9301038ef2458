import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { startRedcollar, StartupError } from '../../src/main.ts';
import { ROOT } from '../support/engineHarness.ts';
import { testDbUri } from '../support/db.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { CERTIFICATE_SWEEP_JOB } from '../../src/app/certification/deps.ts';
import { sampleApplication } from '../store/certificationContracts.ts';

/** A copy of the repository's content (flows, templates, policies) that a test may break. */
function contentCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'redcollar-content-'));
  for (const dir of ['flows', 'templates', 'policies']) cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

/** A fresh database seeded as an older version left it, the app started and stopped once on it, then `check`. */
async function afterOneStart(tag: string, seed: (db: Db) => Promise<unknown>, check: (db: Db) => Promise<void>): Promise<void> {
  const uri = testDbUri(tag);
  const connection = await connectMongo(uri);
  try {
    await seed(connection.db!);
    const app = await startRedcollar({ ...env(), MONGODB_URI: uri });
    await app.stop();
    await check(connection.db!);
  } finally {
    await connection.close();
  }
}

const env = () => ({ PORT: '0', LOG_LEVEL: 'silent', MONGODB_URI: testDbUri('startup'), PII_KEY: Buffer.alloc(32, 9).toString('base64') });

describe('start-up checks', () => {
  it('refuses a flow with lint errors, naming the file and the step', async () => {
    const root = contentCopy();
    const file = join(root, 'flows', 'registration.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('next: mobile', 'next: mobiel'));
    const err = await startRedcollar(env(), { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toContain('flows/registration.yaml step `name`: target `mobiel` does not exist');
  });

  it('refuses a flow that calls an action the code does not have', async () => {
    const root = contentCopy();
    const file = join(root, 'flows', 'status.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('action: certification.status', 'action: certification.statsu'));
    const err = await startRedcollar(env(), { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(/flows\/status.yaml step `load`: action `certification.statsu`/);
  });

  it('regression: a flow calling an action named like an inherited property ("constructor") passed the check', async () => {
    const root = contentCopy();
    const file = join(root, 'flows', 'status.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('action: certification.status', 'action: constructor'));
    const err = await startRedcollar(env(), { root }).catch((e: unknown) => e);
    if (!(err instanceof StartupError)) await (err as { stop?: () => Promise<void> }).stop?.();
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(/flows\/status.yaml step `load`: action `constructor`/);
  });

  it('refuses bad configuration before touching anything, one line per problem', async () => {
    const err = await startRedcollar({ PORT: 'x', DEFAULT_LOCALE: 'de' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(2);
  });

  it('says clearly when the port is taken', async () => {
    const first = await startRedcollar(env());
    try {
      const port = new URL(first.url).port;
      const err = await startRedcollar({ ...env(), PORT: port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await first.stop();
    }
  });

  it('removes plaintext birth dates and genders an older version stored with workers', async () => {
    await afterOneStart(
      'startup_birth_facts',
      (db) => db.collection('workers').insertOne({ accountKey: 'sim:old', idCipher: 'v1.sealed', birthDate: '1985-03-12', gender: 'male' }),
      async (db) => {
        expect(await db.collection('workers').findOne({ accountKey: 'sim:old' }, { projection: { _id: 0 } })).toEqual({ accountKey: 'sim:old', idCipher: 'v1.sealed' });
      },
    );
  });

  it('moves the single token of an admin from before people accounts into admin_tokens, keeping the admin whole', async () => {
    const legacy = { _id: 'cd'.repeat(16), name: '旧管理员', regionCode: '320100', levels: ['junior'], createdAt: '2025-01-01T00:00:00.000Z', disabled: false };
    await afterOneStart(
      'startup_admin_tokens',
      (db) => db.collection('admins').insertOne({ ...legacy, _id: legacy._id as never, tokenHash: 'e'.repeat(64) }),
      async (db) => {
        expect(await db.collection('admins').findOne({ _id: legacy._id as never })).toEqual(legacy);
        expect(await db.collection('admin_tokens').findOne({ _id: legacy._id as never })).toEqual({ _id: legacy._id, adminId: legacy._id, label: 'admin:create', hash: 'e'.repeat(64), createdAt: legacy.createdAt });
      },
    );
  });

  it('hands certified applications without a certificate number, from before the sweep, to the certificate sweep', async () => {
    // As an earlier version left one: certified, no number, and none of the fields this version adds. Its history
    // has no certify event, so the sweep that runs at start-up cannot complete it and it stays marked.
    const { id, ...stranded } = sampleApplication({ id: 'stranded', stage: 'publicNotice', status: 'certified' });
    await afterOneStart(
      'startup_certificates',
      (db) => db.collection('applications').insertOne({ _id: id as never, ...stranded, openKey: 'w1:junior:stranded', regionPath: ['32'], sortKey: 'k' }),
      async (db) => {
        expect(await db.collection('applications').findOne({ _id: id as never })).toMatchObject({ certificateDue: new Date(0) });
        expect(await db.collection('jobs').findOne({ name: CERTIFICATE_SWEEP_JOB })).toMatchObject({ type: 'single', repeatInterval: '10 minutes' });
      },
    );
  });
});
