import { z } from 'zod';
import type { Logger } from '../../infra/logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConversationStore } from '../ports/conversationStore.ts';
import type { FunnelRecorder } from '../ports/funnel.ts';
import type { InboundLog } from '../ports/inboundLog.ts';
import type { ReplayGuard } from '../ports/replayGuard.ts';
import type { JobDefinition } from '../ports/scheduler.ts';

export const EXPIRE_CONVERSATIONS_JOB = 'conversations.expire';

/**
 * The idle-conversation job. Offering "resume or start over" after SESSION_TIMEOUT_MINUTES needs no job: the
 * engine compares the conversation's updatedAt with the clock at the next message, so it is exact even when
 * the job runs late. What needs a job is forgetting: conversations idle longer than the retention period (their
 * half-finished answers hold personal data) and dedupe records past their TTL, on servers that do not honour
 * TTL indexes (the embedded server does not). Idempotent: running it twice deletes nothing more.
 */
export interface ExpireConversationsDeps {
  conversations: ConversationStore;
  inbox: InboundLog;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  dedupeTtlMs: number;
  /** Counts as timed out the users whose conversations expire while waiting at a step. */
  funnel: FunnelRecorder;
}

export function expireConversations(deps: ExpireConversationsDeps) {
  return async (): Promise<{ conversations: number; inbound: number }> => {
    const now = deps.clock.now().getTime();
    const expired = await deps.conversations.deleteIdleSince(new Date(now - deps.retentionMs));
    for (const c of expired) {
      if (c.flowId !== null && c.flowVersion !== null && c.stepId !== null) deps.funnel.expired({ flowId: c.flowId, flowVersion: c.flowVersion, stepId: c.stepId, idleSince: c.updatedAt });
    }
    const conversations = expired.length;
    const inbound = await deps.inbox.purgeOlderThan(new Date(now - deps.dedupeTtlMs));
    if (conversations || inbound) deps.logger.info({ conversations, inbound }, 'expired idle conversations and old dedupe records');
    return { conversations, inbound };
  };
}

/**
 * The housekeeping job, every 10 minutes: idle conversations and old dedupe records, then what the embedded
 * database's missing TTL indexes leave elsewhere: used WeChat (timestamp, nonce) pairs and each channel's own
 * expired state (`channelHousekeeping`, from the enabled channels).
 */
export function housekeepingJob(
  deps: ExpireConversationsDeps & { replayGuard: ReplayGuard; channelHousekeeping: (now: Date) => Promise<void> },
): JobDefinition<Record<string, unknown>> {
  const expire = expireConversations(deps);
  return {
    name: EXPIRE_CONVERSATIONS_JOB,
    // Anything: operators and tests run it now with any key and no data.
    data: z.record(z.string(), z.unknown()),
    handler: async () => {
      await expire();
      await deps.channelHousekeeping(deps.clock.now());
      await deps.replayGuard.purgeExpired(deps.clock.now());
    },
    options: { concurrency: 1, every: '10 minutes' },
  };
}
