/**
 * The compose page's form and the API body it stands for, both ways. Empty choices are left out of the segment
 * (an absent filter means "everyone" to the API, an empty list would mean "no one"), and a problem the API would
 * refuse anyway is named here first, as a message key, so the admin is told before anything is saved.
 */
import { regionPrefixOf } from '../../logic/regionChoices.ts';
import type { Broadcast, BroadcastBody, BroadcastEdit, Channel, InFlight, Segment } from './types.ts';

export interface ComposeForm {
  textZh: string;
  textEn: string;
  /** Region code prefix; empty = the admin's whole region. */
  region: string;
  roles: string[];
  levels: string[];
  appliedLevels: string[];
  certificateStatus: string[];
  stages: string[];
  /** A training session the recipients are (or are not) enrolled in; empty = no such filter. */
  enrolmentSessionId: string;
  enrolled: boolean;
  hoursShort: boolean;
  channels: Channel[];
  /** The session the notice is about (the message then offers 报名 / 不参加). */
  sessionId: string;
  when: 'now' | 'at';
  sendAt: Date | null;
  expiresAt: Date | null;
  urgent: boolean;
  inFlight: InFlight;
}

export function emptyForm(): ComposeForm {
  return {
    textZh: '',
    textEn: '',
    region: '',
    roles: [],
    levels: [],
    appliedLevels: [],
    certificateStatus: [],
    stages: [],
    enrolmentSessionId: '',
    enrolled: false,
    hoursShort: false,
    channels: [],
    sessionId: '',
    when: 'now',
    sendAt: null,
    expiresAt: null,
    urgent: false,
    inFlight: 'hold',
  };
}

/** The part of a region code that names it as a prefix (320000 → 32, 320100 → 3201, a county or street as is). */
export const regionPrefix = regionPrefixOf;

export const TEXT_MAX = 2000;

export type FormResult = { ok: true; body: BroadcastBody } | { ok: false; problem: string; params?: Record<string, string> };

export function segmentOf(form: ComposeForm): Segment {
  const segment: Segment = {};
  const region = form.region.trim();
  if (region) segment.region = region;
  if (form.roles.length) segment.roles = [...form.roles];
  if (form.levels.length) segment.levels = [...form.levels];
  if (form.appliedLevels.length) segment.appliedLevels = [...form.appliedLevels];
  if (form.certificateStatus.length) segment.certificateStatus = [...form.certificateStatus];
  if (form.stages.length) segment.stages = [...form.stages];
  if (form.enrolmentSessionId) segment.session = { id: form.enrolmentSessionId, enrolled: form.enrolled };
  if (form.hoursShort) segment.hoursShort = true;
  if (form.channels.length) segment.channels = [...form.channels];
  return segment;
}

/** The body to save, or the first problem with the form. `adminRegion` is the signed-in admin's region code. */
export function bodyOf(form: ComposeForm, adminRegion: string, now: Date): FormResult {
  const zh = form.textZh.trim();
  const en = form.textEn.trim();
  if (!zh) return { ok: false, problem: 'broadcasts.problem.textMissing' };
  if (zh.length > TEXT_MAX || en.length > TEXT_MAX) return { ok: false, problem: 'broadcasts.problem.textLong', params: { max: String(TEXT_MAX) } };
  const region = form.region.trim();
  const own = regionPrefix(adminRegion);
  if (region && !/^\d{2,9}$/.test(region)) return { ok: false, problem: 'broadcasts.problem.regionFormat' };
  if (region && !region.startsWith(own)) return { ok: false, problem: 'broadcasts.problem.regionOutside', params: { own } };
  if (form.when === 'at' && !form.sendAt) return { ok: false, problem: 'broadcasts.problem.sendAtMissing' };
  const sendAt = form.when === 'at' ? form.sendAt : null;
  if (sendAt && sendAt.getTime() <= now.getTime()) return { ok: false, problem: 'broadcasts.problem.sendAtPast' };
  if (form.expiresAt && form.expiresAt.getTime() <= (sendAt ?? now).getTime()) return { ok: false, problem: 'broadcasts.problem.expiresBeforeSend' };

  const body: BroadcastBody = {
    text: en ? { 'zh-CN': zh, en } : { 'zh-CN': zh },
    segment: segmentOf(form),
    urgent: form.urgent,
    inFlight: form.inFlight,
  };
  if (form.sessionId) body.sessionId = form.sessionId;
  if (sendAt) body.sendAt = sendAt.toISOString();
  if (form.expiresAt) body.expiresAt = form.expiresAt.toISOString();
  return { ok: true, body };
}

/** The body of an edit: what the form left empty is cleared on the server, not kept from the last save. */
export function editOf(body: BroadcastBody): BroadcastEdit {
  return { ...body, sessionId: body.sessionId ?? null, sendAt: body.sendAt ?? null, expiresAt: body.expiresAt ?? null };
}

function time(iso: string | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A saved broadcast back in the form, to edit a draft or to start a new one from an old notice. */
export function formOf(b: Pick<Broadcast, 'text' | 'segment' | 'sessionId' | 'sendAt' | 'expiresAt' | 'urgent' | 'inFlight'>): ComposeForm {
  const s = b.segment ?? {};
  const sendAt = time(b.sendAt);
  return {
    textZh: b.text['zh-CN'] ?? '',
    textEn: b.text.en ?? '',
    region: s.region ?? '',
    roles: [...(s.roles ?? [])],
    levels: [...(s.levels ?? [])],
    appliedLevels: [...(s.appliedLevels ?? [])],
    certificateStatus: [...(s.certificateStatus ?? [])],
    stages: [...(s.stages ?? [])],
    enrolmentSessionId: s.session?.id ?? '',
    enrolled: s.session?.enrolled ?? false,
    hoursShort: s.hoursShort === true,
    channels: [...(s.channels ?? [])],
    sessionId: b.sessionId ?? '',
    when: sendAt ? 'at' : 'now',
    sendAt,
    expiresAt: time(b.expiresAt),
    urgent: b.urgent === true,
    inFlight: b.inFlight ?? 'hold',
  };
}

/** The segment in words for the list and the detail page: one "label: values" line per filter set. */
export function segmentSummary(segment: Segment, label: (field: keyof Segment, value?: string) => string): string[] {
  const lines: string[] = [];
  const list = (field: keyof Segment, values: string[] | undefined) => {
    if (values?.length) lines.push(`${label(field)}: ${values.map((v) => label(field, v)).join('、')}`);
  };
  if (segment.region) lines.push(`${label('region')}: ${segment.region}`);
  list('roles', segment.roles);
  list('levels', segment.levels);
  list('appliedLevels', segment.appliedLevels);
  list('certificateStatus', segment.certificateStatus);
  list('stages', segment.stages);
  if (segment.session) lines.push(`${label('session')}: ${segment.session.id} (${label('session', segment.session.enrolled ? 'enrolled' : 'notEnrolled')})`);
  if (segment.hoursShort) lines.push(label('hoursShort'));
  list('channels', segment.channels);
  return lines;
}
