import { z } from 'zod';
import { ROLES } from '../worker/profile.ts';

/**
 * Who a broadcast goes to: every filter is optional and they combine with AND. Checked by zod with unknown keys
 * refused, so a query is only ever built from a parsed segment (see `workerQueryOf`).
 */
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');
const level = z.string().regex(/^[a-z][A-Za-z0-9]{0,30}$/, 'levels look like intermediate');
const stage = z.string().regex(/^[a-z][A-Za-z0-9]{0,40}$/, 'stages look like trainingTest');

export const BROADCAST_CHANNELS = ['telegram', 'wechat-oa', 'wechat-mp', 'sim'] as const;
/** The certificate store's statuses; `active` is accepted as another word for `valid`. */
export const CERTIFICATE_STATUSES = ['active', 'valid', 'suspended', 'revoked', 'expired'] as const;

const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).min(1, 'a filter list needs at least one value (leave the filter out to match all)').max(max);

export const segmentSchema = z.strictObject({
  region: z.string().regex(/^\d{2,9}$/, 'region is a region code or prefix, e.g. 3201').optional(),
  roles: list(z.enum(ROLES, { message: `roles are ${ROLES.join(', ')}` }), ROLES.length).optional(),
  levels: list(level, 10).optional(),
  appliedLevels: list(level, 10).optional(),
  certificateStatus: list(z.enum(CERTIFICATE_STATUSES, { message: `certificateStatus is ${CERTIFICATE_STATUSES.join(', ')}` }), CERTIFICATE_STATUSES.length).optional(),
  stages: list(stage, 20).optional(),
  session: z.strictObject({ id, enrolled: z.boolean() }).optional(),
  hoursShort: z.literal(true, { message: 'hoursShort is true (or left out)' }).optional(),
  channels: list(z.enum(BROADCAST_CHANNELS, { message: `channels are ${BROADCAST_CHANNELS.join(', ')}` }), BROADCAST_CHANNELS.length).optional(),
});
export type Segment = z.infer<typeof segmentSchema>;

/** A segment with its region settled: inside the admin's region, the admin's own region by default. */
export type ScopedSegment = Segment & { region: string };

export type ScopeResult = { ok: true; segment: ScopedSegment } | { ok: false; message: string };

/** `adminPrefix`: the code prefix the admin sees (regionPrefix of their region code). */
export function scopeSegment(segment: Segment, adminPrefix: string): ScopeResult {
  const region = segment.region ?? adminPrefix;
  if (!region.startsWith(adminPrefix)) return { ok: false, message: `segment.region ${region} is outside your region (${adminPrefix})` };
  return { ok: true, segment: { ...segment, region } };
}

/** A filter on one collection, as plain data: the store turns it into its query. */
export interface WorkerQuery {
  /** On the workers themselves. */
  workers: { regionPrefix: string; roles?: string[]; channels?: string[]; registeredBy?: Date };
  /** Workers holding a certificate of one of these levels (valid), or with one of these statuses. */
  certificates?: { levels?: string[]; statuses?: string[] };
  /** Workers with an open or returned application of one of these levels, or at one of these stages. */
  applications?: { levels?: string[]; stages?: string[] };
  /** Workers enrolled (seat, offer or waiting list) in the session, or not. */
  session?: { id: string; enrolled: boolean };
  /** Workers whose training hours this calendar year are below what they need. */
  hoursShort?: boolean;
}

/**
 * The segment as queries on the collections that hold each fact. `registeredBy` fixes the audience: a worker
 * registered after sending started is not added when the fan-out is resumed after a crash.
 */
export function workerQueryOf(segment: ScopedSegment, registeredBy?: Date): WorkerQuery {
  const q: WorkerQuery = {
    workers: {
      regionPrefix: segment.region,
      ...(segment.roles ? { roles: [...segment.roles] } : {}),
      ...(segment.channels ? { channels: [...segment.channels] } : {}),
      ...(registeredBy ? { registeredBy } : {}),
    },
  };
  if (segment.levels || segment.certificateStatus) {
    q.certificates = {
      ...(segment.levels ? { levels: [...segment.levels] } : {}),
      ...(segment.certificateStatus ? { statuses: [...new Set(segment.certificateStatus.map((s) => (s === 'active' ? 'valid' : s)))] } : {}),
    };
  }
  if (segment.appliedLevels || segment.stages) {
    q.applications = { ...(segment.appliedLevels ? { levels: [...segment.appliedLevels] } : {}), ...(segment.stages ? { stages: [...segment.stages] } : {}) };
  }
  if (segment.session) q.session = { ...segment.session };
  if (segment.hoursShort) q.hoursShort = true;
  return q;
}
