/**
 * Vitest global setup: one MongoDB for the whole test run.
 *
 * With MONGODB_URI set the tests use that server; otherwise one embedded
 * memory-backend server (src/store/embedded) is started here and stopped in
 * teardown. Test files get the URI through `inject('mongoUri')`, normally via
 * testDbUri() in test/support/db.ts, which gives each file its own database.
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../../src/store/embedded/launcher.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

// The first run on a machine may wait for Maven to download the jars.
const START_TIMEOUT_MS = 60_000;

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    provide('mongoUri', external);
    return async () => {};
  }

  const server = await startEmbeddedMongo({
    backend: 'memory',
    startTimeoutMs: START_TIMEOUT_MS,
    // Only progress on a first run and the server's own errors reach here; both are worth seeing.
    log: (line) => process.stderr.write(`${line}\n`),
  });
  provide('mongoUri', server.uri);
  return () => server.stop();
}
