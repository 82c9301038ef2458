import type { DeliveryStatus } from './delivery.ts';
import type { ScopedSegment } from './segment.ts';

export const BROADCAST_STATUSES = ['draft', 'awaitingApproval', 'scheduled', 'sending', 'paused', 'done', 'cancelled', 'expired'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];
export type InFlight = 'resend' | 'hold';
export type Answer = 'enrol' | 'waiting' | 'decline';

export interface Person {
  id: string;
  name: string;
}

export interface NoticeText {
  'zh-CN': string;
  en?: string;
}

export interface Broadcast {
  id: string;
  status: BroadcastStatus;
  text: NoticeText;
  segment: ScopedSegment;
  sessionId?: string;
  sessionTitle?: string;
  sendAt?: Date;
  expiresAt?: Date;
  urgent: boolean;
  inFlight: InFlight;
  createdBy: Person;
  approvedBy?: Person;
  needsApproval: boolean;
  total: number;
  counts: Record<DeliveryStatus, number>;
  skipped: Record<string, number>;
  failed: Record<string, number>;
  answers: Record<Answer, number>;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** Set once every recipient has a delivery record (the audience is fixed). */
  fannedOut: boolean;
  version: number;
}

/** Which moves an admin may make from each status. */
const MOVES: Record<string, readonly BroadcastStatus[]> = {
  edit: ['draft'],
  send: ['draft'],
  approve: ['awaitingApproval'],
  pause: ['sending', 'scheduled'],
  resume: ['paused'],
  cancel: ['draft', 'awaitingApproval', 'scheduled', 'sending', 'paused'],
};

export function mayMove(status: BroadcastStatus, move: 'edit' | 'send' | 'approve' | 'pause' | 'resume' | 'cancel'): boolean {
  return MOVES[move]!.includes(status);
}

/** Where sending goes after `send` or `approve`: approval first, then the time, then now. */
export function nextAfterSend(b: Pick<Broadcast, 'needsApproval' | 'approvedBy' | 'sendAt'>, now: Date): BroadcastStatus {
  if (b.needsApproval && !b.approvedBy) return 'awaitingApproval';
  if (b.sendAt && b.sendAt.getTime() > now.getTime()) return 'scheduled';
  return 'sending';
}

export const emptyCounts = (): Record<DeliveryStatus, number> => ({ pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 });
