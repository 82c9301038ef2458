/**
 * A test's own embedded server, for tests that read its per-server counters (`embeddedPlanStats`): a server
 * shared with other files would count their queries too. Servers and data directories go at the end of the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded/launcher.ts';

export type OwnServer = <T>(backend: 'memory' | 'h2', fn: (server: EmbeddedMongo, db: Db) => Promise<T>) => Promise<T>;

/** Call at a test file's top level: the returned function starts a server per call, on `dbName`. */
export function ownEmbeddedServers(dbName: string): OwnServer {
  const started: EmbeddedMongo[] = [];
  const tempDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async (backend, fn) => {
    let server: EmbeddedMongo;
    if (backend === 'h2') {
      const dataDir = await mkdtemp(join(tmpdir(), `embedded-${dbName}-`));
      tempDirs.push(dataDir);
      server = await startEmbeddedMongo({ backend, dataDir });
    } else {
      server = await startEmbeddedMongo({ backend });
    }
    started.push(server);
    const client = await MongoClient.connect(server.uri);
    try {
      return await fn(server, client.db(dbName));
    } finally {
      await client.close();
    }
  };
}
