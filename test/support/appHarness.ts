import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createActions } from '../../src/app/actions/registry.ts';
import type { ActionRegistry } from '../../src/app/actions/types.ts';
import { createInboundHandler, type HandleInbound } from '../../src/app/handleInbound.ts';
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

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(private t = new Date('2026-03-01T02:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export const TEST_PII_KEY = randomBytes(32);

/**
 * One "app instance" for integration tests: its own mongoose connection to the test database, the real Mongo
 * stores and the real inbound pipeline. Two of these on one database behave like two servers.
 */
export async function createAppInstance(uri: string, opts: { clock?: Clock; actions?: (base: ActionRegistry) => ActionRegistry; metrics?: TurnMetrics; key?: Buffer } = {}) {
  const connection: Connection = await connectMongo(uri);
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
    inbox,
    actions: opts.actions ? opts.actions(base) : base,
    clock,
    metrics: opts.metrics ?? noMetrics,
    logger: createLogger('silent'),
    settings: { defaultLocale: 'zh-CN', sessionTimeoutMs: 30 * 60_000, maxMessageLength: 2000, waitForTurnMs: 20_000 },
    capabilities: () => ({ images: false }),
  });
  let seq = 0;
  /** Send text as a user; returns the reply texts joined. */
  const say = async (userId: string, text: string, messageId = `m${++seq}-${randomBytes(4).toString('hex')}`) => {
    const r = await handle({ channel: 'sim', userId, messageId, input: { type: 'text', text } });
    return r.replies.map((x) => x.text).join('\n');
  };
  return { connection, cipher, conversations, inbox, workers, organizations, handle, say, clock, close: () => connection.close() };
}

/** The registration answers up to the summary, for a user with the given ID number. */
export function registrationScript(idNumber: string, name = '张三'): string[] {
  return ['注册', name, '13812345678', idNumber, '是', '1', '2010-07-01', '某某科技有限公司', '跳过', '1', '规模以上', '120', '1', '江苏', '南京', '玄武', '2018-03-01', '本科', '无'];
}
