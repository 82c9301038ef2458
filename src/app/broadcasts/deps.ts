import type { Result } from '../certification/runCommand.ts';
import type { AdminRecord, AuditLog } from '../ports/certification.ts';
import type { AudienceSource, BroadcastStore, DeliveryStore, TestTargets } from '../ports/broadcasts.ts';
import type { ConversationStore } from '../ports/conversationStore.ts';
import type { ReminderStore } from '../ports/reminders.ts';
import type { TrainingDeps } from '../training/deps.ts';
import type { ReminderDeps } from '../reminders/deps.ts';

export interface BroadcastSettings {
  /** Above this many recipients a second admin approves before anything is sent. */
  approvalThreshold: number;
  /** Deliveries read per batch of a run. */
  batchSize: number;
  /** Platform calls in flight at once per run: also the most sends that can end up "unknown" after a crash. */
  concurrency: number;
  /** How long a run holds a broadcast (and its job lock): a crashed run's broadcast is taken up after this. */
  leaseMs: number;
  /** Tries of a transiently failing send before it is recorded as failed. */
  maxAttempts: number;
}

/**
 * Policies and the regions' own reminder settings (quiet hours, daily cap: a region's settings made in the console
 * apply to its notices as to its reminders), sender, reach, scheduler, translator, clock and logger: the same as
 * reminders use.
 */
export interface BroadcastDeps extends Pick<ReminderDeps, 'policies' | 'regionSettings' | 'sender' | 'reach' | 'scheduler' | 'translator' | 'clock' | 'logger'> {
  broadcasts: BroadcastStore;
  deliveries: DeliveryStore;
  audience: AudienceSource;
  testTargets: TestTargets;
  /**
   * Mutes (`all` and `broadcast` silence broadcasts), the daily cap shared with reminders (one counter per worker
   * and day), and the training use cases a reply calls.
   */
  reminders: Pick<ReminderStore, 'mutesOf' | 'takeDailySlot'>;
  training: TrainingDeps;
  audit: AuditLog;
  /** Told of each notice with choices sent, so that a number typed inside a flow after it reaches the replies. */
  conversations: Pick<ConversationStore, 'noticeSent'>;
  settings: BroadcastSettings;
}

export type { Result };

export const BROADCAST_FANOUT_JOB = 'broadcasts.fanout';
export const BROADCAST_SEND_JOB = 'broadcasts.send';
export const BROADCAST_TICK_JOB = 'broadcasts.tick';

export async function audit(deps: BroadcastDeps, admin: AdminRecord, action: string, target: string, outcome: 'done' | 'refused' | 'conflict' | 'invalid', detail?: Record<string, unknown>): Promise<void> {
  await deps.audit.append({ at: deps.clock.now().toISOString(), adminId: admin.id, action: `broadcast.${action}`, target: `broadcast:${target}`, outcome, ...(detail ? { detail } : {}) });
}

export const refuse = (status: 400 | 403 | 404 | 409 | 422, code: string, message: string) => ({ ok: false as const, error: { status, code, message } });
