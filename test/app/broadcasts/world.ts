import type { Connection } from 'mongoose';
import type { BroadcastDeps, BroadcastSettings } from '../../../src/app/broadcasts/deps.ts';
import type { AdminRecord, AuditEntry } from '../../../src/app/ports/certification.ts';
import type { ReachAnswer } from '../../../src/app/ports/reach.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import type { DeliveryResult } from '../../../src/app/ports/sender.ts';
import type { TrainingDeps } from '../../../src/app/training/deps.ts';
import type { Mute } from '../../../src/domain/reminders/reminder.ts';
import type { OutboundMessage } from '../../../src/engine/types.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createMongoAudienceSource, createMongoTestTargets } from '../../../src/store/mongo/audienceSource.ts';
import { createMongoBroadcastStore } from '../../../src/store/mongo/broadcastStore.ts';
import { createMongoDeliveryStore } from '../../../src/store/mongo/deliveryStore.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { createMongoConversationStore } from '../../../src/store/mongo/conversationStore.ts';
import { TEST_PII_KEY } from '../../support/appHarness.ts';
import { content } from '../../support/engineHarness.ts';
import { TestClock } from '../../support/testClock.ts';

export const admin = (id: string, regionCode: string): AdminRecord => ({ id, name: `admin ${id}`, regionCode, levels: [], createdAt: '2026-01-01T00:00:00Z', disabled: false });

/**
 * Broadcast use cases on the real Mongo stores with fakes at the edges: a platform that records what each chat
 * received (and can refuse, fail or run a callback at a given send), a reach table, mutes, and a scheduler that
 * only records (the test runs the jobs itself, so nothing runs behind its back).
 */
export function world(connection: Connection, opts: { start?: string; settings?: Partial<BroadcastSettings>; training?: Partial<TrainingDeps>; takeDailySlot?: BroadcastDeps['reminders']['takeDailySlot']; regionSettings?: BroadcastDeps['regionSettings'] } = {}) {
  const clock = new TestClock(new Date(opts.start ?? '2026-03-01T02:00:00Z'));
  const received = new Map<string, OutboundMessage[]>();
  const behaviour = new Map<string, (attempt: number) => DeliveryResult>();
  const attempts = new Map<string, number>();
  const reach = new Map<string, ReachAnswer>();
  const mutes: Mute[] = [];
  // The daily cap's counter, fresh per world (the tests send many notices to the same workers on one day).
  const daily = new Map<string, number>();
  const audits: AuditEntry[] = [];
  const scheduled: { name: string; key: string; when: Date }[] = [];
  let onSend: ((n: number) => Promise<void>) | null = null;
  let sends = 0;
  const scheduler: Scheduler = {
    define() {},
    async every() {},
    async scheduleAt(name, when, key) {
      scheduled.push({ name, key, when });
    },
    async cancel() {
      return 0;
    },
    async now(name, key) {
      scheduled.push({ name, key, when: clock.now() });
    },
    async start() {},
    async stop() {},
    isReady: () => true,
    async catchUp() {},
  };
  const deps: BroadcastDeps = {
    broadcasts: createMongoBroadcastStore(connection),
    deliveries: createMongoDeliveryStore(connection),
    audience: createMongoAudienceSource(connection),
    testTargets: createMongoTestTargets(connection),
    conversations: createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY)),
    reminders: {
      mutesOf: async (ids) => mutes.filter((m) => ids.includes(m.workerId)),
      takeDailySlot:
        opts.takeDailySlot ??
        (async (workerId, day, cap) => {
          const n = daily.get(`${workerId}|${day}`) ?? 0;
          if (n >= cap) return false;
          daily.set(`${workerId}|${day}`, n + 1);
          return true;
        }),
    },
    // The training use cases are only reached by replies; tests of replies pass real ones.
    training: { training: { get: async () => null }, admins: { get: async () => null }, ...opts.training } as unknown as TrainingDeps,
    policies: content().policies,
    ...(opts.regionSettings ? { regionSettings: opts.regionSettings } : {}),
    sender: {
      async send(_channel, userId, messages) {
        const n = (attempts.get(userId) ?? 0) + 1;
        attempts.set(userId, n);
        const r = behaviour.get(userId)?.(n) ?? { ok: true };
        if (r.ok) received.set(userId, [...(received.get(userId) ?? []), ...messages]);
        sends++;
        await onSend?.(sends);
        return r;
      },
    },
    reach: async (_channel, userId) => reach.get(userId) ?? { reachable: true, how: 'direct' },
    scheduler,
    translator: content().translator,
    clock,
    logger: createLogger('silent'),
    audit: { append: async (e) => void audits.push(e), list: async () => audits },
    settings: { approvalThreshold: 1000, batchSize: 5, concurrency: 2, leaseMs: 30_000, maxAttempts: 3, ...opts.settings },
  };
  return {
    deps,
    clock,
    received,
    behaviour,
    reach,
    mutes,
    audits,
    scheduled,
    onSend: (f: ((n: number) => Promise<void>) | null) => (onSend = f),
  };
}
