import { z } from 'zod';
import { addDays } from '../../domain/certification/expiryNotice.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { ReminderKind } from '../../domain/policy/trainingSchema.ts';
import { trainingSettings } from '../../domain/policy/trainingSchema.ts';
import { addYears, inspectionDueDates, lastQuarterStart, morningOf } from '../../domain/reminders/factDates.ts';
import { hoursRequired } from '../../domain/training/hours.ts';
import { ROLES } from '../../domain/worker/profile.ts';
import type { AnnualRecordRepository, CertificateRepository } from '../ports/certification.ts';
import type { ReminderSubjects, SubjectCertificate, SubjectWorker } from '../ports/reminderSubjects.ts';
import type { JobDefinition } from '../ports/scheduler.ts';
import type { TrainingRepository } from '../ports/training.ts';
import type { ReminderDeps, StillDue } from './deps.ts';
import { settingsOf } from './regionSettings.ts';
import { scheduleReminders, type ReminderRequest } from './scheduleReminder.ts';

/**
 * The reminder kinds whose cause is a stored fact rather than an act: 年检 due and a certificate expiring (the
 * certificate's dates), a new branch secretary not yet trained and the same post held close to five years (the
 * worker's post and its start), yearly 学时 still short in the last quarter (the hours ledger), and a conversation
 * left inside a flow. A sweep finds the subjects whose reminder falls due within the next LOOKAHEAD_DAYS (ranges
 * over indexed fields, keyset pages) and schedules them the usual way: keyed, so a second sweep replaces rather
 * than duplicates, and checked again at firing time (`factChecks`), so a changed fact cancels it. An agenda job
 * per subject would be 100k jobs for 100k workers; the sweep reads only what falls due.
 */
export const FACT_SWEEP_JOB = 'reminders.facts';
export const IDLE_SWEEP_JOB = 'reminders.idleConversations';

/** The fact sweep runs every few hours and schedules what falls due in the next two days: every reminder is scheduled a few times at most, each run replacing the last. */
const LOOKAHEAD_DAYS = 2;
/** The idle sweep runs every 10 minutes and schedules nudges falling due within the next 20. */
const IDLE_LOOKAHEAD_MS = 20 * 60_000;
const PAGE = 500;
const HOUR = 3_600_000;

export interface FactReminderDeps extends Pick<ReminderDeps, 'reminders' | 'policies' | 'scheduler' | 'clock' | 'logger' | 'translator' | 'regionSettings'> {
  subjects: ReminderSubjects;
  certificates: Pick<CertificateRepository, 'get' | 'listByWorker'>;
  annual: Pick<AnnualRecordRepository, 'get'>;
  training: Pick<TrainingRepository, 'credits'>;
}

export interface FactTally {
  scheduled: Partial<Record<ReminderKind, number>>;
}

/** Every offset, in whole days rounded out, that some region uses for `kind` (the policies' and the regions' own settings). */
function offsetDays(deps: FactReminderDeps, kind: ReminderKind, regionCodes: readonly string[]): number[] {
  const days = new Set<number>();
  for (const code of regionCodes) for (const h of settingsOf(deps, code).kinds[kind].offsetsHours) days.add(Math.floor(h / 24));
  return [...days].sort((a, b) => a - b);
}

/** Region codes whose settings may differ: one per policy mapping entry and per region override. */
function knownRegions(deps: FactReminderDeps): string[] {
  const codes = new Set<string>(['']);
  for (const m of deps.policies.mapping.mappings) codes.add(m.regionPrefix);
  for (const r of deps.regionSettings?.regions() ?? []) codes.add(r);
  return [...codes];
}

const levelName = (deps: FactReminderDeps, policyId: string, level: string) => deps.policies.get(policyId)?.levels.find((l) => l.id === level)?.name['zh-CN'] ?? level;
const who = (w: SubjectWorker) => ({ id: w.id, channel: w.channel, userId: w.userId, regionCode: w.regionCode });

export function factReminderSweep(deps: FactReminderDeps) {
  async function schedule(tally: FactTally, req: ReminderRequest) {
    const keys = await scheduleReminders(deps, req);
    if (keys.length > 0) tally.scheduled[req.kind] = (tally.scheduled[req.kind] ?? 0) + keys.length;
  }

  async function holders(certs: SubjectCertificate[]) {
    return deps.subjects.workersById([...new Set(certs.map((c) => c.workerId))]);
  }

  async function certificateExpiring(tally: FactTally, today: string, regions: string[]) {
    for (const d of offsetDays(deps, 'certificateExpiring', regions)) {
      const certs = await deps.subjects.certificatesEndingBetween(addDays(today, d - 1), addDays(today, d + LOOKAHEAD_DAYS), 10 * PAGE);
      const workers = await holders(certs);
      for (const c of certs) {
        const w = workers.get(c.workerId);
        if (!w) continue;
        await schedule(tally, { kind: 'certificateExpiring', subject: c.number, occurrence: c.validUntil, eventAt: morningOf(c.validUntil), direction: 'before', worker: { ...who(w), regionCode: c.regionCode }, params: { number: c.number, level: levelName(deps, c.policyId, c.level), validUntil: c.validUntil } });
      }
    }
  }

  async function inspectionDue(tally: FactTally, today: string, regions: string[]) {
    const days = offsetDays(deps, 'inspectionDue', regions);
    const inWindow = (due: string) => days.some((d) => due >= addDays(today, d - 1) && due <= addDays(today, d + LOOKAHEAD_DAYS));
    let after: string | null = null;
    for (;;) {
      const page = await deps.subjects.activeCertificates(after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.number;
      const due = page.flatMap((c) => inspectionDueDates(c).filter(inWindow).map((date) => ({ c, date })));
      if (due.length > 0) {
        const workers = await holders(due.map((x) => x.c));
        for (const { c, date } of due) {
          const w = workers.get(c.workerId);
          if (!w || (await deps.annual.get(c.workerId, Number(date.slice(0, 4))))?.inspection) continue;
          await schedule(tally, { kind: 'inspectionDue', subject: c.number, occurrence: date, eventAt: morningOf(date), direction: 'before', worker: { ...who(w), regionCode: c.regionCode }, params: { number: c.number, level: levelName(deps, c.policyId, c.level), dueOn: date } });
        }
      }
      if (page.length < PAGE) break;
    }
  }

  /** Workers of `roles` whose post began `d` days before a day of the window, for each offset `d` of `kind`. */
  async function byWorkStart(kind: ReminderKind, roles: readonly (typeof ROLES)[number][], today: string, regions: string[], each: (w: SubjectWorker) => Promise<void>) {
    for (const d of offsetDays(deps, kind, regions)) {
      let after: string | null = null;
      for (;;) {
        const page = await deps.subjects.workersStartedBetween(roles, addDays(today, -d - LOOKAHEAD_DAYS), addDays(today, -d + 1), after, PAGE);
        for (const w of page) await each(w);
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.id;
      }
    }
  }

  async function newSecretaryUntrained(tally: FactTally, today: string, regions: string[]) {
    await byWorkStart('newSecretaryUntrained', ['secretary'], today, regions, async (w) => {
      const months = trainingSettings(deps.policies.forRegion(w.regionCode) ?? {}).newSecretaryMonths;
      if (await trainedSince(deps, w.id, w.workStart)) return;
      await schedule(tally, { kind: 'newSecretaryUntrained', subject: w.id, occurrence: w.workStart, eventAt: morningOf(w.workStart), direction: 'after', worker: who(w), params: { since: w.workStart, months } });
    });
  }

  async function rotation(tally: FactTally, today: string, regions: string[]) {
    const posts = ROLES.filter((r) => r !== 'other');
    await byWorkStart('rotation', posts, today, regions, async (w) => {
      await schedule(tally, { kind: 'rotation', subject: w.id, occurrence: `${w.role}:${w.workStart}`, eventAt: morningOf(w.workStart), direction: 'after', worker: who(w), params: { since: w.workStart, fiveYears: addYears(w.workStart, 5) } });
    });
  }

  async function hoursShort(tally: FactTally, today: string, regions: string[]) {
    const year = Number(today.slice(0, 4));
    const start = lastQuarterStart(year);
    const days = offsetDays(deps, 'hoursShort', regions);
    if (!days.some((d) => addDays(start, d) >= addDays(today, -1) && addDays(start, d) <= addDays(today, LOOKAHEAD_DAYS))) return;
    let after: string | null = null;
    for (;;) {
      const page = await deps.subjects.workers(after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      const credited = await deps.subjects.hoursOf(page.map((w) => w.id), year);
      for (const w of page) {
        const required = await requiredHours(deps, w);
        const have = credited.get(w.id) ?? 0;
        if (have >= required) continue;
        await schedule(tally, { kind: 'hoursShort', subject: w.id, occurrence: String(year), eventAt: morningOf(start), direction: 'after', worker: who(w), params: { year, credited: have, required, missing: required - have } });
      }
      if (page.length < PAGE) break;
    }
  }

  return async (): Promise<FactTally> => {
    await deps.regionSettings?.refresh();
    const tally: FactTally = { scheduled: {} };
    const today = chinaDate(deps.clock.now());
    const regions = knownRegions(deps);
    for (const [kind, run] of [
      ['certificateExpiring', certificateExpiring],
      ['inspectionDue', inspectionDue],
      ['newSecretaryUntrained', newSecretaryUntrained],
      ['rotation', rotation],
      ['hoursShort', hoursShort],
    ] as const) {
      await run(tally, today, regions).catch((err: unknown) => deps.logger.error({ err, kind }, 'fact reminders failed; the next sweep tries again'));
    }
    return tally;
  };
}

/**
 * Conversations left inside a flow: one nudge a few hours after the last message (the region's offsets), whose
 * occurrence is that last change, so any later message makes it stale; when the worker comes back, the engine's
 * resume offer takes over. A visitor not yet registered is reminded too (the registration flow is the one most
 * worth finishing), under their channel account.
 */
export function idleConversationSweep(deps: FactReminderDeps) {
  return async (): Promise<FactTally> => {
    await deps.regionSettings?.refresh();
    const tally: FactTally = { scheduled: {} };
    const now = deps.clock.now().getTime();
    const hours = new Set<number>();
    for (const code of knownRegions(deps)) for (const h of settingsOf(deps, code).kinds.abandonedConversation.offsetsHours) hours.add(h);
    for (const h of hours) {
      const idle = await deps.subjects.idleConversations(new Date(now - h * HOUR), new Date(now - h * HOUR + IDLE_LOOKAHEAD_MS), 10 * PAGE);
      const workers = await deps.subjects.workersByAccount(idle.map((c) => `${c.channel}:${c.userId}`));
      for (const c of idle) {
        const w = workers.get(`${c.channel}:${c.userId}`);
        const titleKey = `${c.flowId}:title`;
        const title = deps.translator.has(c.locale, titleKey) ? deps.translator.t(c.locale, titleKey) : c.flowId;
        const keys = await scheduleReminders(deps, {
          kind: 'abandonedConversation',
          subject: `${c.channel}:${c.userId}`,
          occurrence: c.updatedAt.toISOString(),
          eventAt: c.updatedAt,
          direction: 'after',
          worker: { id: w?.id ?? `${c.channel}:${c.userId}`, channel: c.channel, userId: c.userId, regionCode: w?.regionCode ?? '' },
          params: { title, flow: c.flowId },
        });
        if (keys.length > 0) tally.scheduled.abandonedConversation = (tally.scheduled.abandonedConversation ?? 0) + keys.length;
      }
    }
    return tally;
  };
}

async function trainedSince(deps: Pick<FactReminderDeps, 'training'>, workerId: string, since: string): Promise<boolean> {
  const from = morningOf(since).getTime() - 9 * HOUR;
  return (await deps.training.credits(workerId)).some((c) => c.hours > 0 && c.at.getTime() >= from);
}

async function requiredHours(deps: Pick<FactReminderDeps, 'policies' | 'certificates'>, w: Pick<SubjectWorker, 'id' | 'regionCode' | 'role'>): Promise<number> {
  const levels = (await deps.certificates.listByWorker(w.id)).filter((c) => c.status === 'valid' || c.status === 'suspended').map((c) => c.level);
  return hoursRequired(trainingSettings(deps.policies.forRegion(w.regionCode) ?? {}), w.role, levels);
}

/** The checks at firing time: is the fact that made each reminder still true? */
export function factChecks(deps: FactReminderDeps): Partial<Record<ReminderKind, StillDue>> {
  const activeCert = async (number: string) => {
    const c = await deps.certificates.get(number);
    return c && (c.status === 'valid' || c.status === 'suspended') ? c : null;
  };
  return {
    certificateExpiring: async (r) => (await activeCert(r.subject))?.validUntil === r.occurrence,
    inspectionDue: async (r) => {
      const c = await activeCert(r.subject);
      if (!c || !inspectionDueDates(c).includes(r.occurrence)) return false;
      return !(await deps.annual.get(c.workerId, Number(r.occurrence.slice(0, 4))))?.inspection;
    },
    newSecretaryUntrained: async (r) => {
      const w = (await deps.subjects.workersById([r.subject])).get(r.subject);
      return w?.role === 'secretary' && w.workStart === r.occurrence && !(await trainedSince(deps, w.id, w.workStart));
    },
    rotation: async (r) => {
      const w = (await deps.subjects.workersById([r.subject])).get(r.subject);
      return w !== undefined && `${w.role}:${w.workStart}` === r.occurrence;
    },
    hoursShort: async (r) => {
      const w = (await deps.subjects.workersById([r.subject])).get(r.subject);
      if (!w) return false;
      const have = (await deps.subjects.hoursOf([w.id], Number(r.occurrence))).get(w.id) ?? 0;
      return have < (await requiredHours(deps, w));
    },
    abandonedConversation: async (r) => {
      const [channel, ...rest] = r.subject.split(':');
      const c = await deps.subjects.conversation(channel!, rest.join(':'));
      return c !== null && c.updatedAt.toISOString() === r.occurrence;
    },
  };
}

export function factSweepJobs(deps: FactReminderDeps): JobDefinition<Record<string, never>>[] {
  const facts = factReminderSweep(deps);
  const idle = idleConversationSweep(deps);
  return [
    { name: FACT_SWEEP_JOB, data: z.object({}).strict(), handler: async () => void (await facts()), options: { concurrency: 1, every: '6 hours', lockLifetimeMs: 30 * 60_000 } },
    { name: IDLE_SWEEP_JOB, data: z.object({}).strict(), handler: async () => void (await idle()), options: { concurrency: 1, every: '10 minutes' } },
  ];
}
