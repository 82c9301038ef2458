/** The broadcast admin API's shapes as the console reads them (the contract of issue 14). */

export const CHANNELS = ['telegram', 'wechat-oa', 'wechat-mp', 'sim'] as const;
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = ['draft', 'awaitingApproval', 'scheduled', 'sending', 'paused', 'done', 'cancelled', 'expired'] as const;
export type BroadcastStatus = (typeof STATUSES)[number];

export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'failed', 'skipped', 'unknown'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const ANSWERS = ['enrol', 'waiting', 'decline'] as const;
export type Answer = (typeof ANSWERS)[number];

export const REACH = ['window', 'template', 'subscribe', 'direct', 'none'] as const;
export type Reach = (typeof REACH)[number];

export type InFlight = 'resend' | 'hold';

export interface Segment {
  region?: string;
  roles?: string[];
  levels?: string[];
  appliedLevels?: string[];
  certificateStatus?: string[];
  stages?: string[];
  session?: { id: string; enrolled: boolean };
  hoursShort?: true;
  channels?: Channel[];
}

export interface BroadcastText {
  'zh-CN': string;
  en?: string;
}

/** What POST /broadcasts and PATCH /broadcasts/:id take. */
export interface BroadcastBody {
  text: BroadcastText;
  segment: Segment;
  sessionId?: string;
  sendAt?: string;
  expiresAt?: string;
  urgent?: boolean;
  inFlight?: InFlight;
}

/**
 * What PATCH /broadcasts/:id takes: the same fields, where null clears a time or the linked session (a field
 * left out is left as it was, so a cleared one must be sent as null).
 */
export type BroadcastEdit = Omit<BroadcastBody, 'sessionId' | 'sendAt' | 'expiresAt'> & {
  sessionId: string | null;
  sendAt: string | null;
  expiresAt: string | null;
};

export interface Person {
  id: string;
  name: string;
}

export type Counts = Record<DeliveryState, number>;

export interface Broadcast {
  id: string;
  status: BroadcastStatus;
  text: BroadcastText;
  segment: Segment;
  sessionId?: string;
  sessionTitle?: string;
  sendAt?: string;
  expiresAt?: string;
  urgent: boolean;
  inFlight: InFlight;
  createdBy: Person;
  approvedBy?: Person;
  needsApproval: boolean;
  total: number;
  counts: Counts;
  skipped: Record<string, number>;
  failed: Record<string, number>;
  answers: Partial<Record<Answer, number>>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  version: number;
}

export interface BroadcastPage {
  items: Broadcast[];
  nextCursor?: string | null;
}

export interface DryRun {
  total: number;
  byChannel: { channel: string; recipients: number; reachable: Partial<Record<Reach, number>> }[];
  sample: { name: string; channel: string }[];
}

export interface TestSendResult {
  sent: boolean;
  channel?: string;
  reason?: string;
}

export interface Recipient {
  name: string;
  channel: string;
  status: DeliveryState;
  reason?: string;
  /** What lies behind the reason: a mute's kind, a channel's refusal (windowClosed…), or the platform's words. */
  detail?: string;
  answer?: Answer;
  at?: string;
  /** A pending recipient's planned sending time (after quiet hours, the daily cap or a retry's backoff). */
  nextAt?: string;
}

export interface RecipientPage {
  items: Recipient[];
  /** The API pages recipients by their fan-out position, a number. */
  nextCursor?: string | number | null;
}

export interface BroadcastSettings {
  approvalThreshold: number;
}

/** A training session as the training API lists it (only what the compose page shows). */
export interface SessionOption {
  id: string;
  title: string;
  startsAt?: string;
  place?: string;
  status?: string;
}
