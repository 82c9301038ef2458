/**
 * Many users' messages spread over several app instances on one database, as behind a load balancer: each
 * message is delivered `copies` times at once (a platform retry landing on the other instance, or on the same
 * one, while the first delivery still runs), the copies going round the instances. Used by the two-instance
 * integration test (in-process instances, scaled down) and by bench:engine part 2d (processes, full size).
 */
import type { ConversationState } from '../../src/engine/types.ts';

/** Where a conversation stands, with the user's own ID number taken out so that users' conversations compare. */
export function conversationPosition(state: ConversationState | null, idNumber: string) {
  return {
    flowId: state?.flowId,
    stepId: state?.stepId,
    version: state?.version,
    answers: JSON.stringify(state?.answers ?? null).replaceAll(idNumber, '<id>'),
    history: state?.history.map((h) => h.stepId),
  };
}

/** What one delivery got back. */
export interface DeliveryResult {
  replies: string[];
  duplicate: boolean;
  /** Anything but an answer: overloaded, busy, an internal error or a transport failure, with what it said. */
  failure?: string;
}

export type Deliver = (instance: number, userId: string, messageId: string, text: string) => Promise<DeliveryResult>;

export interface SpreadOptions {
  users: number;
  instances: number;
  /** Deliveries of each message at once (1 = no redelivery). */
  copies: number;
  /** Users playing at the same time; each plays its script in order. */
  concurrentUsers: number;
  userId(n: number): string;
  script(n: number): string[];
}

export interface SpreadReport {
  messages: number;
  deliveries: number;
  elapsedMs: number;
  /** Message ids no delivery of which ran a turn, or whose deliveries all failed. */
  lost: string[];
  /** Message ids more than one delivery of which ran a turn. */
  doubled: string[];
  /** Message ids whose copies were answered differently. */
  mismatched: string[];
  failures: string[];
  /** Per user: the replies of its last message. */
  lastReplies: Map<string, string[]>;
}

export async function spreadOverInstances(deliver: Deliver, opts: SpreadOptions): Promise<SpreadReport> {
  const report: SpreadReport = { messages: 0, deliveries: 0, elapsedMs: 0, lost: [], doubled: [], mismatched: [], failures: [], lastReplies: new Map() };
  const t0 = performance.now();
  let next = 0;
  const play = async (): Promise<void> => {
    for (let n = next++; n < opts.users; n = next++) {
      const userId = opts.userId(n);
      const script = opts.script(n);
      for (const [i, text] of script.entries()) {
        const messageId = `${userId}-m${i}`;
        const copies = Array.from({ length: opts.copies }, (_, c) => deliver((n + i + c) % opts.instances, userId, messageId, text));
        const results = await Promise.all(copies);
        report.messages++;
        report.deliveries += results.length;
        const answered = results.filter((r) => !r.failure);
        for (const r of results) if (r.failure) report.failures.push(`${messageId}: ${r.failure}`);
        const ran = answered.filter((r) => !r.duplicate).length;
        if (ran === 0) report.lost.push(messageId);
        if (ran > 1) report.doubled.push(messageId);
        const first = JSON.stringify(answered[0]?.replies ?? null);
        if (answered.some((r) => JSON.stringify(r.replies) !== first)) report.mismatched.push(messageId);
        if (i === script.length - 1) report.lastReplies.set(userId, answered.find((r) => !r.duplicate)?.replies ?? []);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrentUsers, opts.users) }, play));
  report.elapsedMs = performance.now() - t0;
  return report;
}
