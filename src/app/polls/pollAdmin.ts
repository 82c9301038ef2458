import { randomBytes, randomUUID } from 'node:crypto';
import { codeFromBytes, miniProgramPollPath } from '../../domain/polls/codes.ts';
import { pollDefaultsOf, questionnaireOf } from '../../domain/polls/questionnaire.ts';
import { pollResults, quorumRequired } from '../../domain/polls/results.ts';
import { MIN_GROUP_SIZE_FLOOR, POLL_GROUPS, type PollGroup, type Quorum } from '../../domain/polls/types.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { Result, ServiceError } from '../certification/runCommand.ts';
import type { AdminRecord, AuditEntry } from '../ports/certification.ts';
import type { PollRecord, PollSubject } from '../ports/polls.ts';
import { closePoll } from './closePoll.ts';
import { codeHash, POLL_CLOSE_JOB, type PollDeps } from './deps.ts';

export interface CreatePollInput {
  subject: { applicationId: string } | { certificateNumber: string; year: number };
  groups?: Record<PollGroup, number>;
  closesAt: string;
  minGroupSize?: number;
  quorum?: Partial<Quorum>;
}

const notFound = (what: string): ServiceError => ({ status: 404, code: 'notFound', message: `no ${what}` });
const forbidden = (what: string): ServiceError => ({ status: 403, code: 'outOfScope', message: `${what} is outside your region or levels` });
const MAX_ROSTER = 20_000;

/** The organisation's record suggests the sizes: one owner and its employees; party members are not recorded. */
const suggestedGroupsOf = (org: { employees?: number | null } | null): Record<PollGroup, number> | null => (org?.employees ? { owner: 1, member: 0, employee: org.employees } : null);

/** A code as its admin gets it: the web link, and the Official Account's QR code and the mini program's page when those are on. */
export type PollCodeView = { group: PollGroup; code: string; url: string; wechatQrUrl?: string; miniProgramPath?: string };

const pollCursor = (p: PollRecord) => Buffer.from(`${p.createdAt}|${p.id}`, 'utf8').toString('base64url');
function pollCursorValue(cursor: string): { createdAt: string; id: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)\|([A-Za-z0-9]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { createdAt: m[1]!, id: m[2]! } : null;
}

/** What GET /admin/api/polls/:id shows: progress only; results after closing, through `results`. */
export function pollView(poll: PollRecord) {
  const answered = Object.fromEntries(POLL_GROUPS.map((g) => [g, poll.tallies[g]?.answers ?? 0]));
  return {
    id: poll.id,
    subject: poll.subject.kind === 'application' ? { applicationId: poll.subject.applicationId } : { certificateNumber: poll.subject.certificateNumber, year: poll.subject.year },
    status: poll.status,
    groups: poll.roster,
    answered,
    total: { roster: POLL_GROUPS.reduce((n, g) => n + poll.roster[g], 0), answered: poll.answered },
    closesAt: poll.closesAt,
    minGroupSize: poll.minGroupSize,
    quorum: { ...poll.quorum, required: quorumRequired(poll.roster, poll.quorum).required },
    extended: poll.extended,
    createdAt: poll.createdAt,
    closedAt: poll.closedAt,
    flags: poll.flags,
    questions: poll.questionnaire.questions.map((q) => q.id),
    ...(poll.result ? { outcome: { rate: poll.result.rate, quorumMet: poll.result.quorumMet, recordedOn: poll.result.recordedOn, note: poll.result.recordNote ?? null, notes: poll.result.recordNotes ?? null } } : {}),
  };
}

/**
 * The admin side of polls, scoped as applications are: an admin reads polls in their region and levels; creating,
 * closing and extending one are acts of the tier that manages the level. The codes are for the admin who runs the
 * poll only, and every look at them is audited.
 */
export function createPollAdmin(deps: PollDeps) {
  const c = deps.certification;

  async function audited<T>(admin: AdminRecord, action: string, target: string, detail: Record<string, unknown>, run: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = await run();
    const outcome: AuditEntry['outcome'] = result.ok ? 'done' : result.error.status === 409 ? 'conflict' : result.error.status === 403 ? 'refused' : 'invalid';
    await c.audit.append({ at: c.clock.now().toISOString(), adminId: admin.id, action, target, outcome, detail: result.ok ? detail : { ...detail, ...result.error.detail, error: result.error.message } });
    return result;
  }

  async function readable(admin: AdminRecord, id: string): Promise<Result<PollRecord>> {
    const poll = await deps.polls.get(id);
    if (!poll) return { ok: false, error: notFound(`poll ${id}`) };
    if (!inScope(scopeOf(admin), poll)) return { ok: false, error: forbidden(`poll ${id}`) };
    return { ok: true, value: poll };
  }

  async function actable(admin: AdminRecord, id: string): Promise<Result<PollRecord>> {
    const r = await readable(admin, id);
    if (!r.ok) return r;
    const refused = actRefusal(c.policies, admin, r.value, r.value.subject.kind === 'application' ? 'applications' : 'certificates');
    return refused ? { ok: false, error: refused } : r;
  }

  /** The rated worker, policy, level and region of a subject, if the admin may act on it. */
  async function subjectOf(admin: AdminRecord, input: CreatePollInput['subject']): Promise<Result<{ subject: PollSubject; workerId: string; policyId: string; level: string; regionCode: string; orgId: string | null }>> {
    if ('applicationId' in input) {
      const app = await c.applications.get(input.applicationId);
      if (!app) return { ok: false, error: notFound(`application ${input.applicationId}`) };
      if (!inScope(scopeOf(admin), app)) return { ok: false, error: forbidden(`application ${app.id}`) };
      const refused = actRefusal(c.policies, admin, app, 'applications');
      if (refused) return { ok: false, error: refused };
      if (app.status !== 'open') return { ok: false, error: { status: 422, code: 'notOpen', message: `application ${app.id} is ${app.status}; a poll rates an open application`, params: { status: app.status } } };
      const worker = await c.workers.findById(app.workerId);
      return { ok: true, value: { subject: { kind: 'application', applicationId: app.id }, workerId: app.workerId, policyId: app.policyId, level: app.level, regionCode: app.regionCode, orgId: worker?.orgId ?? null } };
    }
    const cert = await c.certificates.get(input.certificateNumber);
    if (!cert) return { ok: false, error: notFound(`certificate ${input.certificateNumber}`) };
    if (!inScope(scopeOf(admin), cert)) return { ok: false, error: forbidden(`certificate ${cert.number}`) };
    const refused = actRefusal(c.policies, admin, cert, 'certificates');
    if (refused) return { ok: false, error: refused };
    const worker = await c.workers.findById(cert.workerId);
    return { ok: true, value: { subject: { kind: 'annual', certificateNumber: cert.number, year: input.year }, workerId: cert.workerId, policyId: cert.policyId, level: cert.level, regionCode: cert.regionCode, orgId: worker?.orgId ?? null } };
  }

  return {
    create(admin: AdminRecord, input: CreatePollInput): Promise<Result<ReturnType<typeof pollView> & { suggestedGroups: Record<PollGroup, number> | null }>> {
      return audited(admin, 'createPoll', `poll:${'applicationId' in input.subject ? `application:${input.subject.applicationId}` : `certificate:${input.subject.certificateNumber}:${input.subject.year}`}`, { groups: input.groups ?? null, closesAt: input.closesAt }, async () => {
        const now = c.clock.now();
        const s = await subjectOf(admin, input.subject);
        if (!s.ok) return s;
        const policy = c.policies.get(s.value.policyId)!;
        // The organisation's record suggests the sizes: one owner and its employees; party members are not recorded.
        const org = s.value.orgId ? await c.organizations.get(s.value.orgId) : null;
        const suggestedGroups = suggestedGroupsOf(org);
        const roster = input.groups ?? suggestedGroups;
        if (!roster) return { ok: false, error: { status: 400, code: 'groupsNeeded', message: 'give groups: {"owner": 1, "member": n, "employee": n}; the organisation record has no employee count to suggest them' } };
        const total = POLL_GROUPS.reduce((n, g) => n + roster[g], 0);
        if (total < 1 || total > MAX_ROSTER) return { ok: false, error: { status: 400, code: 'groups', message: `groups must add up to 1-${MAX_ROSTER} respondents, got ${total}`, params: { total, max: MAX_ROSTER } } };
        if (Date.parse(input.closesAt) <= now.getTime()) return { ok: false, error: { status: 400, code: 'closesAt', message: `closesAt ${input.closesAt} is not in the future` } };
        const defaults = pollDefaultsOf(policy);
        const minGroupSize = input.minGroupSize ?? defaults.minGroupSize;
        if (minGroupSize < MIN_GROUP_SIZE_FLOOR) return { ok: false, error: { status: 400, code: 'minGroupSize', message: `minGroupSize is at least ${MIN_GROUP_SIZE_FLOOR}: smaller groups could be told apart`, params: { min: MIN_GROUP_SIZE_FLOOR } } };
        const id = randomUUID().replace(/-/g, '').slice(0, 16);
        const codes = POLL_GROUPS.flatMap((group) =>
          Array.from({ length: roster[group] }, () => {
            const code = codeFromBytes(randomBytes(16));
            return { hash: codeHash(deps.sealer, code), pollId: id, group, sealed: deps.sealer.encrypt(code) };
          }),
        );
        const poll: PollRecord = {
          id,
          ...s.value,
          roster,
          closesAt: new Date(input.closesAt).toISOString(),
          minGroupSize,
          quorum: { ...defaults.quorum, ...input.quorum },
          questionnaire: questionnaireOf(policy),
          status: 'open',
          extended: false,
          createdBy: admin.id,
          createdAt: now.toISOString(),
          closedAt: null,
          answered: 0,
          tallies: {},
          comments: [],
          flags: [],
          applied: [],
          result: null,
        };
        delete (poll as Partial<typeof s.value>).orgId;
        await deps.polls.create(poll, codes);
        await c.scheduler.scheduleAt(POLL_CLOSE_JOB, new Date(poll.closesAt), id, { pollId: id });
        return { ok: true, value: { ...pollView(poll), suggestedGroups } };
      });
    },

    async get(admin: AdminRecord, id: string) {
      const r = await readable(admin, id);
      return r.ok ? { ok: true as const, value: pollView(r.value) } : r;
    },

    /** The polls in the admin's region and levels, newest first, a page at a time (keyset cursor). */
    async list(admin: AdminRecord, q: { status?: 'open' | 'closed'; applicationId?: string; cursor?: string; limit: number }): Promise<Result<{ items: ReturnType<typeof pollView>[]; nextCursor?: string }>> {
      const scope = scopeOf(admin);
      const after = q.cursor === undefined ? undefined : pollCursorValue(q.cursor);
      if (after === null) return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
      const rows = await deps.polls.list({ regionPrefix: scope.regionPrefix, levels: scope.levels, ...(q.status ? { status: q.status } : {}), ...(q.applicationId ? { applicationId: q.applicationId } : {}), ...(after ? { after } : {}), limit: q.limit + 1 });
      const page = rows.slice(0, q.limit).filter((p) => inScope(scope, p));
      const last = rows.length > q.limit ? rows[q.limit - 1]! : null;
      return { ok: true, value: { items: page.map(pollView), ...(last ? { nextCursor: pollCursor(last) } : {}) } };
    },

    /**
     * What a new poll on this subject would start from: the group sizes the organisation's record suggests (null:
     * no employee count recorded) and the policy's minimum group size and quorum. Refused as creating would be.
     */
    async suggest(admin: AdminRecord, subject: CreatePollInput['subject']): Promise<Result<{ suggestedGroups: Record<PollGroup, number> | null; minGroupSize: number; quorum: Quorum }>> {
      const s = await subjectOf(admin, subject);
      if (!s.ok) return s;
      const org = s.value.orgId ? await c.organizations.get(s.value.orgId) : null;
      return { ok: true, value: { suggestedGroups: suggestedGroupsOf(org), ...pollDefaultsOf(c.policies.get(s.value.policyId)!) } };
    },

    /** The plaintext codes and their links, for the admin who created the poll; audited, refusals included. */
    codes(admin: AdminRecord, id: string, format: string): Promise<Result<PollCodeView[]>> {
      return audited(admin, 'viewPollCodes', `poll:${id}`, { format }, async () => {
        const r = await readable(admin, id);
        if (!r.ok) return r;
        if (r.value.createdBy !== admin.id) return { ok: false, error: { status: 403, code: 'notPollOwner', message: `only the admin who runs poll ${id} may see its codes` } };
        const base = c.publicBaseUrl.replace(/\/$/, '');
        const miniProgram = deps.miniProgram?.() === true;
        const codes: PollCodeView[] = (await deps.polls.codes(id))
          .sort((a, b) => POLL_GROUPS.indexOf(a.group) - POLL_GROUPS.indexOf(b.group))
          .map((code) => {
            const plain = deps.sealer.decrypt(code.sealed);
            return { group: code.group, code: plain, url: `${base}/p/${plain}`, ...(miniProgram ? { miniProgramPath: miniProgramPollPath(plain) } : {}) };
          });
        const qr = deps.wechatQr?.();
        if (!qr || r.value.status !== 'open') return { ok: true, value: codes };
        // With the Official Account on, each code also gets a temporary QR code of the account whose scene carries it.
        const seconds = (Date.parse(r.value.closesAt) - c.clock.now().getTime()) / 1000;
        const withQr: PollCodeView[] = [];
        for (let i = 0; i < codes.length; i += 4) {
          const batch = codes.slice(i, i + 4);
          const urls = await Promise.all(batch.map((x) => qr(`poll_${x.code}`, seconds).catch((err: unknown) => (c.logger.warn({ poll: id, err: (err as Error).message }, 'poll: no WeChat QR code for a code; the sheet shows the web link'), undefined))));
          batch.forEach((x, j) => withQr.push(urls[j] ? { ...x, wechatQrUrl: urls[j] } : x));
        }
        return { ok: true, value: withQr };
      });
    },

    close(admin: AdminRecord, id: string): Promise<Result<ReturnType<typeof pollView>>> {
      return audited(admin, 'closePoll', `poll:${id}`, {}, async () => {
        const r = await actable(admin, id);
        if (!r.ok) return r;
        if (r.value.status === 'closed') return { ok: false, error: { status: 409, code: 'closed', message: `poll ${id} is already closed` } };
        const closed = await closePoll(deps, id, c.clock.now());
        return { ok: true, value: pollView(closed!) };
      });
    },

    extend(admin: AdminRecord, id: string, closesAt: string): Promise<Result<ReturnType<typeof pollView>>> {
      return audited(admin, 'extendPoll', `poll:${id}`, { closesAt }, async () => {
        const r = await actable(admin, id);
        if (!r.ok) return r;
        const poll = r.value;
        if (poll.status !== 'closed' || poll.result?.quorumMet !== false) return { ok: false, error: { status: 422, code: 'notExtendable', message: `poll ${id} can be extended only after it closed without its quorum` } };
        if (poll.extended) return { ok: false, error: { status: 422, code: 'extendedOnce', message: `poll ${id} was extended once already` } };
        if (Date.parse(closesAt) <= c.clock.now().getTime()) return { ok: false, error: { status: 400, code: 'closesAt', message: `closesAt ${closesAt} is not in the future` } };
        const iso = new Date(closesAt).toISOString();
        const extended = await deps.polls.extend(id, iso);
        deps.definitions?.forget(id);
        if (!extended) return { ok: false, error: { status: 409, code: 'conflict', message: `poll ${id} changed meanwhile; reload it` } };
        await c.scheduler.scheduleAt(POLL_CLOSE_JOB, new Date(iso), id, { pollId: id });
        return { ok: true, value: pollView((await deps.polls.get(id))!) };
      });
    },

    /** The words of the codes' CSV file in `lang` (templates polls:codesFile). */
    codesFileWords(lang: string) {
      const w = (key: string) => c.translator.t(lang, `polls:codesFile.${key}`);
      return { group: w('group'), code: w('code'), url: w('url'), groupId: w('groupId'), groups: { owner: w('groups.owner'), member: w('groups.member'), employee: w('groups.employee') } };
    },

    /** The words of the printable code sheet in `lang` (templates polls:codeSheet, the groups as in the CSV). */
    codeSheetWords(lang: string) {
      const w = (key: string, params?: Record<string, string>) => c.translator.t(lang, `polls:${key}`, params);
      return {
        lang: w('codeSheet.htmlLang'),
        title: (poll: string) => w('codeSheet.title', { poll }),
        cardTitle: w('codeSheet.cardTitle'),
        hint: (code: string) => w('codeSheet.hint', { code }),
        groups: { owner: w('codesFile.groups.owner'), member: w('codesFile.groups.member'), employee: w('codesFile.groups.employee') },
      };
    },

    /**
     * Results of a closed poll, suppressed (domain/polls/results.ts). Admins of a tier below the one that runs the
     * poll see the aggregate only: rate, valid answers and quorum, no groups or comments.
     */
    async results(admin: AdminRecord, id: string) {
      const r = await readable(admin, id);
      if (!r.ok) return r;
      const poll = r.value;
      if (poll.status !== 'closed' || !poll.result) return { ok: false as const, error: { status: 422 as const, code: 'notClosed', message: `poll ${id} is ${poll.status}; results are shown once it is closed` } };
      const full = pollResults(
        { roster: poll.roster, minGroupSize: poll.minGroupSize, quorum: poll.quorum, positive: poll.questionnaire.positive, tallies: poll.tallies, comments: poll.comments },
        deps.random,
      );
      const refusal = actRefusal(c.policies, admin, poll, poll.subject.kind === 'application' ? 'applications' : 'certificates');
      const aggregateOnly = refusal?.detail?.refusal === 'lowerTier';
      const base = { id: poll.id, rate: full.rate, valid: full.valid, quorumMet: full.quorumMet, quorum: full.quorum, recordedOn: poll.result.recordedOn, note: poll.result.recordNote ?? null, notes: poll.result.recordNotes ?? null, flags: poll.flags };
      return { ok: true as const, value: aggregateOnly ? { ...base, aggregateOnly: true } : { ...base, groups: full.groups, comments: full.comments } };
    },
  };
}

export type PollAdmin = ReturnType<typeof createPollAdmin>;
