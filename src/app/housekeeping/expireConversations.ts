import type { Logger } from '../../infra/logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConversationStore } from '../ports/conversationStore.ts';
import type { InboundLog } from '../ports/inboundLog.ts';

export const EXPIRE_CONVERSATIONS_JOB = 'conversations.expire';

/**
 * The idle-conversation job. Offering "resume or start over" after SESSION_TIMEOUT_MINUTES needs no job: the
 * engine compares the conversation's updatedAt with the clock at the next message, so it is exact even when
 * the job runs late. What needs a job is forgetting: conversations idle longer than the retention period (their
 * half-finished answers hold personal data) and dedupe records past their TTL, on servers that do not honour
 * TTL indexes (the embedded server does not). Idempotent: running it twice deletes nothing more.
 */
export function expireConversations(deps: {
  conversations: ConversationStore;
  inbox: InboundLog;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  dedupeTtlMs: number;
}) {
  return async (): Promise<{ conversations: number; inbound: number }> => {
    const now = deps.clock.now().getTime();
    const conversations = await deps.conversations.deleteIdleSince(new Date(now - deps.retentionMs));
    const inbound = await deps.inbox.purgeOlderThan(new Date(now - deps.dedupeTtlMs));
    if (conversations || inbound) deps.logger.info({ conversations, inbound }, 'expired idle conversations and old dedupe records');
    return { conversations, inbound };
  };
}
