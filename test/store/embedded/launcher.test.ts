/**
 * The embedded MongoDB (src/store/embedded) over the real wire protocol.
 *
 * The first block runs against the run's shared server (an external MongoDB
 * when MONGODB_URI is set), so it also pins down which MongoDB features the
 * app may rely on with the embedded server. The later blocks start their own
 * servers to test the launcher: persistence, process cleanup, error messages.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, readdir, rm, symlink, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDbName, testDbUri, withDatabase } from '../../support/db.ts';
import {
  EmbeddedMongoUnavailableError,
  parseJavaMajorVersion,
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '../../../src/store/embedded/launcher.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'src/store/embedded/launcher.ts');

/** True while the process exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; 'Z' means it has already exited.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

async function withClient<T>(uri: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('MongoDB features used by the app (shared test server)', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = new MongoClient(testDbUri('embedded_mongo'), { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    db = client.db();
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  it('uses the per-file database from testDbUri', () => {
    expect(db.databaseName).toMatch(/^redcollar_test_embedded_mongo_[0-9a-f]{8}$/);
  });

  it('reports a wire version the driver accepts', async () => {
    const hello = await db.admin().command({ isMaster: 1 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
  });

  it('inserts and finds a document', async () => {
    const users = db.collection('users');
    const { insertedId } = await users.insertOne({ name: '张三', at: new Date('2024-01-02T03:04:05.678Z') });
    const found = await users.findOne({ _id: insertedId });
    expect(found).toMatchObject({ name: '张三' });
    expect(found?.at).toEqual(new Date('2024-01-02T03:04:05.678Z'));
  });

  it('findOneAndUpdate with $inc and upsert returns the new document', async () => {
    const counters = db.collection<{ _id: string; seq: number }>('counters');
    const first = await counters.findOneAndUpdate(
      { _id: 'ticket' },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const second = await counters.findOneAndUpdate(
      { _id: 'ticket' },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(first).toEqual({ _id: 'ticket', seq: 1 });
    expect(second).toEqual({ _id: 'ticket', seq: 2 });
  });

  it('rejects a unique index violation with code 11000', async () => {
    const members = db.collection('members');
    await members.createIndex({ mobile: 1 }, { unique: true });
    await members.insertOne({ mobile: '13800000000' });
    const error = await members.insertOne({ mobile: '13800000000' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
  });

  it('accepts a TTL index (but see the note: the embedded server never deletes expired documents)', async () => {
    // mongo-java-server stores expireAfterSeconds but has no TTL monitor, so
    // expiry must be done by the app; this only checks the index is accepted.
    const sessions = db.collection('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 3600 });
    const indexes = await sessions.listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'expiresAt_1')?.expireAfterSeconds).toBe(3600);
  });

  it("supports agenda's lock query: findOneAndUpdate with $or and sort", async () => {
    const jobs = db.collection('agendaJobs');
    const now = Date.now();
    await jobs.createIndex(
      { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
      { name: 'findAndLockNextJobIndex' },
    );
    await jobs.insertMany([
      { name: 'remind', nextRunAt: new Date(now - 1_000), priority: 0, lockedAt: null },
      { name: 'remind', nextRunAt: new Date(now - 9_000), priority: 0, lockedAt: null },
      { name: 'remind', nextRunAt: new Date(now - 20_000), priority: 0, lockedAt: null, disabled: true },
      { name: 'other', nextRunAt: new Date(now - 30_000), priority: 0, lockedAt: null },
    ]);
    const locked = await jobs.findOneAndUpdate(
      {
        name: 'remind',
        disabled: { $ne: true },
        $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: new Date(now) } }, { lockedAt: { $lte: new Date(now - 600_000) } }],
      },
      { $set: { lockedAt: new Date(now) } },
      { returnDocument: 'after', sort: { nextRunAt: 1, priority: -1 } },
    );
    expect(locked?.nextRunAt).toEqual(new Date(now - 9_000));
    expect(locked?.lockedAt).toEqual(new Date(now));
    expect(await jobs.countDocuments({ lockedAt: { $ne: null } })).toBe(1);
  });

  it('lists collections', async () => {
    await db.collection('listed').insertOne({});
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('listed');
  });

  it('runs bulkWrite and countDocuments', async () => {
    const votes = db.collection('votes');
    const result = await votes.bulkWrite([
      { insertOne: { document: { poll: 'p1', choice: 'a' } } },
      { insertOne: { document: { poll: 'p1', choice: 'b' } } },
      { updateOne: { filter: { poll: 'p1', choice: 'b' }, update: { $set: { choice: 'a' } } } },
      { updateOne: { filter: { poll: 'p2' }, update: { $set: { choice: 'c' } }, upsert: true } },
      { deleteOne: { filter: { poll: 'none' } } },
    ]);
    expect(result.insertedCount).toBe(2);
    expect(result.modifiedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect(await votes.countDocuments({ poll: 'p1', choice: 'a' })).toBe(2);
  });

  it('aggregates with $match, $group, $sort and $limit', async () => {
    const answers = db.collection('answers');
    await answers.insertMany([
      { poll: 'q', choice: 'x' },
      { poll: 'q', choice: 'y' },
      { poll: 'q', choice: 'y' },
      { poll: 'q', choice: 'z' },
      { poll: 'q', choice: 'z' },
      { poll: 'q', choice: 'z' },
      { poll: 'other', choice: 'x' },
    ]);
    const top = await answers
      .aggregate([
        { $match: { poll: 'q' } },
        { $group: { _id: '$choice', n: { $sum: 1 } } },
        { $sort: { n: -1 } },
        { $limit: 2 },
      ])
      .toArray();
    expect(top).toEqual([
      { _id: 'z', n: 3 },
      { _id: 'y', n: 2 },
    ]);
  });

  it('works with mongoose 9 (connection, unique index, upsert)', async () => {
    const connection = await mongoose.createConnection(testDbUri('embedded_mongo_mongoose')).asPromise();
    try {
      const Member = connection.model(
        'Member',
        new mongoose.Schema({ openId: { type: String, required: true, unique: true }, visits: { type: Number, default: 0 } }),
      );
      await Member.init();
      await Member.create({ openId: 'wx-1' });
      const duplicate = await Member.create({ openId: 'wx-1' }).catch((e: unknown) => e);
      expect((duplicate as { code?: number }).code).toBe(11000);
      const updated = await Member.findOneAndUpdate({ openId: 'wx-1' }, { $inc: { visits: 1 } }, { returnDocument: 'after', upsert: true }).lean();
      expect(updated?.visits).toBe(1);
      expect(await Member.countDocuments()).toBe(1);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});

describe('testDbUri helpers', () => {
  it('replaces the database and keeps hosts and options', () => {
    expect(withDatabase('mongodb://127.0.0.1:27017/', 'x')).toBe('mongodb://127.0.0.1:27017/x');
    expect(withDatabase('mongodb://a:1,b:2/old?replicaSet=rs0', 'x')).toBe('mongodb://a:1,b:2/x?replicaSet=rs0');
    expect(withDatabase('mongodb://h', 'x')).toBe('mongodb://h/x');
  });

  it('keeps authenticating against the original database', () => {
    expect(withDatabase('mongodb://u:p@h/app', 'x')).toBe('mongodb://u:p@h/x?authSource=app');
    expect(withDatabase('mongodb://u:p@h/?tls=true', 'x')).toBe('mongodb://u:p@h/x?tls=true&authSource=admin');
    expect(withDatabase('mongodb://u:p@h/app?authSource=other', 'x')).toBe('mongodb://u:p@h/x?authSource=other');
  });

  it('makes valid, unique database names', () => {
    const name = testDbName('flows/registration.test.ts'.repeat(5));
    expect(name).toMatch(/^redcollar_test_[A-Za-z0-9_]+_[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(testDbName('a')).not.toBe(testDbName('a'));
  });
});

describe('startEmbeddedMongo', () => {
  const started: EmbeddedMongo[] = [];
  const tempDirs: string[] = [];

  async function start(options: Parameters<typeof startEmbeddedMongo>[0]): Promise<EmbeddedMongo> {
    const server = await startEmbeddedMongo(options);
    started.push(server);
    return server;
  }
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-mongo-test-'));
    tempDirs.push(dir);
    return dir;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
    await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('parses java -version output', () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajorVersion('no version here')).toBeUndefined();
  });

  it('keeps h2 data across stop and start with the same dataDir', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const first = await start({ backend: 'h2', dataDir });
    await withClient(withDatabase(first.uri, 'persist'), (c) => c.db().collection('notes').insertOne({ text: 'kept' }));
    await first.stop();
    expect(existsSync(join(dataDir, 'embedded-mongo.mv'))).toBe(true);

    const second = await start({ backend: 'h2', dataDir });
    const found = await withClient(withDatabase(second.uri, 'persist'), (c) =>
      c.db().collection('notes').findOne({}, { projection: { _id: 0 } }),
    );
    expect(found).toEqual({ text: 'kept' });
  });

  it('does not keep memory-backend data across restarts', async () => {
    const first = await start({ backend: 'memory' });
    await withClient(withDatabase(first.uri, 'gone'), (c) => c.db().collection('notes').insertOne({ text: 'lost' }));
    await first.stop();
    const second = await start({ backend: 'memory' });
    expect(await withClient(withDatabase(second.uri, 'gone'), (c) => c.db().collection('notes').countDocuments())).toBe(0);
  });

  it('ends the server process on stop()', async () => {
    const server = await start({ backend: 'memory' });
    expect(isAlive(server.pid)).toBe(true);
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 500 });
    await expect(client.connect()).rejects.toThrow();
    await client.close();
    await server.stop(); // a second stop is harmless
  });

  it('reports why the server could not start (h2 file already in use)', async () => {
    const dataDir = await tempDir();
    await start({ backend: 'h2', dataDir });
    const error = await startEmbeddedMongo({ backend: 'h2', dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited before listening/);
    expect((error as Error).message).toMatch(/file is locked/);
  });

  it('requires dataDir for the h2 backend', async () => {
    await expect(startEmbeddedMongo({ backend: 'h2' })).rejects.toThrow(/needs dataDir/);
  });

  it('exits when the parent dies, even by SIGKILL, and flushes h2 data', async () => {
    const dataDir = await tempDir();
    // A separate Node process owns the server, so we can SIGKILL that parent.
    const script = `
      const { startEmbeddedMongo } = await import(${JSON.stringify(LAUNCHER)});
      const { MongoClient } = await import('mongodb');
      const server = await startEmbeddedMongo({ backend: 'h2', dataDir: ${JSON.stringify(dataDir)} });
      const client = await new MongoClient(server.uri.replace(/\\/$/, '/orphan')).connect();
      await client.db().collection('notes').insertOne({ text: 'written before SIGKILL' });
      await client.close();
      console.log('READY ' + server.pid);
      setInterval(() => {}, 1 << 30);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const javaPid = await new Promise<number>((resolvePid, reject) => {
        createInterface({ input: parent.stdout! }).on('line', (line) => {
          const match = /^READY (\d+)$/.exec(line);
          if (match) resolvePid(Number(match[1]));
        });
        parent.once('exit', (code) => reject(new Error(`helper script exited early with code ${code}`)));
      });
      expect(isAlive(javaPid)).toBe(true);

      parent.kill('SIGKILL');
      expect(await waitUntilGone(javaPid, 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }

    const again = await start({ backend: 'h2', dataDir });
    const found = await withClient(withDatabase(again.uri, 'orphan'), (c) =>
      c.db().collection('notes').findOne({}, { projection: { _id: 0 } }),
    );
    expect(found).toEqual({ text: 'written before SIGKILL' });
  });

  describe('class-data sharing archive (classArchive.ts)', () => {
    /** The JVM's arguments, from /proc. */
    const jvmArgs = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const flag = (pid: number, name: string): string | undefined =>
      jvmArgs(pid).find((arg) => arg.startsWith(`-XX:${name}=`))?.slice(name.length + 5);

    /** A cache holding this build's classpath and compiled classes, but no jar or archive of them yet. */
    async function freshCache(): Promise<string> {
      const probe = await start({ backend: 'memory' });
      const args = jvmArgs(probe.pid);
      const classes = args[args.indexOf('-cp') + 1]!.split(':')[0]!.replace(/\.jar$/, '');
      const cacheDir = await tempDir();
      await cp(classes, join(cacheDir, basename(classes)), { recursive: true });
      for (const name of await readdir(dirname(classes))) {
        if (/^classpath-.*\.txt$/.test(name)) await cp(join(dirname(classes), name), join(cacheDir, name));
      }
      return cacheDir;
    }

    it('a clean stop leaves the archive the next start maps; a killed server leaves none', async () => {
      const cacheDir = await freshCache();
      const killed = await start({ backend: 'memory', cacheDir });
      const abandoned = flag(killed.pid, 'ArchiveClassesAtExit');
      expect(abandoned).toBeDefined();
      process.kill(killed.pid, 'SIGKILL');
      await killed.stop();
      expect((await readdir(cacheDir)).filter((name) => name.includes('.jsa'))).toEqual([]);

      const maker = await start({ backend: 'memory', cacheDir });
      const dump = flag(maker.pid, 'ArchiveClassesAtExit')!;
      await maker.stop();
      const archive = dump.replace(/\.[^.]+\.tmp$/, '');
      expect(existsSync(archive)).toBe(true);
      expect((await readdir(cacheDir)).filter((name) => name.includes('.jsa')).sort()).toEqual([basename(archive)]);

      const user = await start({ backend: 'memory', cacheDir });
      expect(flag(user.pid, 'SharedArchiveFile')).toBe(archive);
      const client = await MongoClient.connect(user.uri);
      try {
        await client.db('cds').collection('items').insertOne({ _id: 1 } as never);
        expect(await client.db('cds').collection('items').countDocuments()).toBe(1);
      } finally {
        await client.close();
      }
    });
  });

  describe('with a PATH that has Java but no Maven', () => {
    let savedPath: string | undefined;
    let savedJavaHome: string | undefined;

    beforeAll(async () => {
      // Warm the default cache first (it is normally warm from globalSetup already).
      await (await startEmbeddedMongo({ backend: 'memory' })).stop();
    });

    async function useJavaOnlyPath(): Promise<void> {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      for (const tool of ['java', 'javac']) {
        const found = (process.env.PATH ?? '')
          .split(':')
          .map((dir) => join(dir, tool))
          .find((candidate) => existsSync(candidate));
        if (!found) throw new Error(`${tool} is not on PATH; these tests need a JDK.`);
        await symlink(found, join(bin, tool));
      }
      savedPath = process.env.PATH;
      savedJavaHome = process.env.JAVA_HOME;
      process.env.PATH = bin;
      delete process.env.JAVA_HOME;
    }

    afterEach(() => {
      if (savedPath !== undefined) process.env.PATH = savedPath;
      if (savedJavaHome !== undefined) process.env.JAVA_HOME = savedJavaHome;
      savedPath = undefined;
      savedJavaHome = undefined;
    });

    it('starts from the cached classpath without running Maven', async () => {
      await useJavaOnlyPath();
      const server = await start({ backend: 'memory' });
      expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    });

    it('explains how to fix a missing Maven when the cache is cold', async () => {
      const cacheDir = await tempDir();
      await useJavaOnlyPath();
      const error = await startEmbeddedMongo({ backend: 'memory', cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedMongoUnavailableError);
      expect((error as Error).message).toMatch(/Maven/);
      expect((error as Error).message).toMatch(/apt-get install openjdk-17-jdk-headless maven/);
      expect((error as Error).message).toMatch(/MONGODB_URI/);
    });

    /** A `java` on a PATH of its own: a shell script that counts `-version` runs and hands everything to `target`. */
    async function wrappedJava(target: string, version?: string): Promise<{ bin: string; runs: () => number }> {
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      const counter = join(bin, 'version-runs');
      const answer = version ? `echo '${version}' >&2; exit 0` : `exec '${target}' "$@"`;
      await writeFile(join(bin, 'java'), `#!/bin/sh\nif [ "$1" = "-version" ]; then echo x >> '${counter}'; ${answer}; fi\nexec '${target}' "$@"\n`);
      await chmod(join(bin, 'java'), 0o755);
      savedPath = process.env.PATH;
      savedJavaHome = process.env.JAVA_HOME;
      // First on PATH, so it shadows the real one; javac and Maven stay reachable behind it.
      process.env.PATH = `${bin}:${savedPath}`;
      delete process.env.JAVA_HOME;
      return { bin, runs: () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0) };
    }

    const REAL_JAVA = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'java')).find((c) => existsSync(c)) ?? 'java';

    it('regression: every start ran `java -version` (a JVM start) before the server; a passed check is kept per executable', async () => {
      const java = await wrappedJava(REAL_JAVA);
      await (await start({ backend: 'memory' })).stop();
      await (await start({ backend: 'memory' })).stop();
      expect(java.runs()).toBe(1);
    });

    it('still refuses a Java below 17 found on PATH after another passed', async () => {
      await wrappedJava(REAL_JAVA, 'java version "1.8.0_392"');
      const error = await startEmbeddedMongo({ backend: 'memory' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedMongoUnavailableError);
      expect((error as Error).message).toMatch(/reports Java 8/);
    });

    it('explains how to fix a missing Java', async () => {
      savedPath = process.env.PATH;
      savedJavaHome = process.env.JAVA_HOME;
      process.env.PATH = await tempDir();
      delete process.env.JAVA_HOME;
      const error = await startEmbeddedMongo({ backend: 'memory' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedMongoUnavailableError);
      expect((error as Error).message).toMatch(/Java 17\+/);
      expect((error as Error).message).toMatch(/MONGODB_URI/);
    });
  });
});
