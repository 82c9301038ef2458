import type { Connection } from 'mongoose';
import { EmbeddedMongoUnavailableError, startEmbeddedMongo } from '../embedded/launcher.ts';
import type { Logger } from '../../infra/logger.ts';
import { connectMongo } from './connection.ts';

/** A start-up problem with one clear message for the operator (no stack trace needed). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The app's database: MONGODB_URI when set, else the embedded server (mongo-java-server) with its data under
 * `dataDir`. `close()` closes the connection and stops the embedded server; it is safe to call twice.
 */
export async function openDatabase(opts: { uri?: string; dataDir: string; backend: 'h2' | 'memory'; logger: Logger }): Promise<{ connection: Connection; embedded: boolean; close(): Promise<void> }> {
  let uri = opts.uri;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!uri) {
    try {
      const embedded = await startEmbeddedMongo({ backend: opts.backend, dataDir: opts.dataDir, log: (line) => opts.logger.debug({ embeddedMongo: line }) });
      stopEmbedded = () => embedded.stop();
      uri = `${embedded.uri.replace(/\/$/, '')}/redcollar`;
    } catch (err) {
      if (err instanceof EmbeddedMongoUnavailableError) throw new StartupError(err.message);
      if (/locked/i.test(String((err as Error).message))) {
        throw new StartupError(`the embedded database in ${opts.dataDir} is in use by another process (is \`npm start\` running?); stop it first, or set MONGODB_URI`);
      }
      throw err;
    }
    opts.logger.info({ backend: opts.backend, dataDir: opts.dataDir }, 'embedded database started');
  }
  let connection: Connection;
  try {
    connection = await connectMongo(uri);
  } catch (err) {
    await stopEmbedded?.();
    throw err;
  }
  let closed = false;
  return {
    connection,
    embedded: stopEmbedded !== null,
    async close() {
      if (closed) return;
      closed = true;
      await connection.close().catch(() => undefined);
      await stopEmbedded?.();
    },
  };
}
