import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createActions } from '../../src/app/actions/registry.ts';
import type { ActionRegistry } from '../../src/app/actions/types.ts';
import { createInboundHandler, type HandleInbound, type HandleInboundDeps } from '../../src/app/handleInbound.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import { noMetrics, type TurnMetrics } from '../../src/app/ports/metrics.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createPiiCipher, type PiiCipher } from '../../src/infra/piiCipher.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoConversationStore } from '../../src/store/mongo/conversationStore.ts';
import { createMongoInboundLog } from '../../src/store/mongo/inboundLog.ts';
import { createMongoWorkerRepository } from '../../src/store/mongo/workerRepository.ts';
import { createMongoOrganizationRepository } from '../../src/store/mongo/organizationRepository.ts';
import { content } from './engineHarness.ts';
import { TestClock } from './testClock.ts';

// Importable from here too, for the integration tests; unit tests take them from their own files (no database).
export { TestClock };
export { registrationScript } from './registrationScript.ts';

export const TEST_PII_KEY = randomBytes(32);

/**
 * One "app instance" for integration tests: its own mongoose connection to the test database, the real Mongo
 * stores and the real inbound pipeline. Two of these on one database behave like two servers.
 */
export async function createAppInstance(
  uri: string,
  opts: {
    clock?: Clock;
    actions?: (base: ActionRegistry) => ActionRegistry;
    metrics?: TurnMetrics;
    key?: Buffer;
    settings?: Partial<HandleInboundDeps['settings']>;
    intercept?: Pick<HandleInboundDeps, 'intercept' | 'mayIntercept' | 'outsideTurn'>;
    /** The driver's command events on (benchmarks time the round trips with them). */
    monitorCommands?: boolean;
  } = {},
) {
  const connection: Connection = await connectMongo(uri, { monitorCommands: opts.monitorCommands });
  const cipher: PiiCipher = createPiiCipher(opts.key ?? TEST_PII_KEY);
  const c = content();
  const conversations = createMongoConversationStore(connection, cipher);
  const inbox = createMongoInboundLog(connection, 3600);
  const workers = createMongoWorkerRepository(connection, cipher);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
  const organizations = createMongoOrganizationRepository(connection);
  await connection.models.Organization!.init();
  const base = createActions({ workers, organizations, regions: c.regions });
  const clock = opts.clock ?? new TestClock();
  const handle: HandleInbound = createInboundHandler({
    flows: c.flows,
    translator: c.translator,
    regions: c.regions,
    conversations,
    actions: opts.actions ? opts.actions(base) : base,
    clock,
    metrics: opts.metrics ?? noMetrics,
    logger: createLogger('silent'),
    settings: { defaultLocale: 'zh-CN', sessionTimeoutMs: 30 * 60_000, maxMessageLength: 2000, waitForTurnMs: 20_000, ...opts.settings },
    capabilities: () => ({ images: false }),
    onLocaleChange: (channel, userId, locale) => workers.setLocale(channel, userId, locale),
    ...opts.intercept,
  });
  let seq = 0;
  /** Send text as a user; returns the reply texts joined. */
  const say = async (userId: string, text: string, messageId = `m${++seq}-${randomBytes(4).toString('hex')}`) => {
    const r = await handle({ channel: 'sim', userId, messageId, input: { type: 'text', text } });
    return r.replies.map((x) => x.text).join('\n');
  };
  return { connection, cipher, conversations, inbox, workers, organizations, handle, say, clock, close: () => connection.close() };
}
