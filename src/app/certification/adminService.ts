import { randomUUID } from 'node:crypto';
import type { PipelineCommand } from '../../domain/certification/pipeline.ts';
import type { Actor, Application, AssessmentGrade } from '../../domain/certification/types.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { AdminRecord, ApplicationFilter, AuditEntry, Page } from '../ports/certification.ts';
import { MediaGoneError, UnknownMediaError, type StoredMedia } from '../ports/media.ts';
import { archiveMedia } from './archiveEvidence.ts';
import type { CertificationDeps } from './deps.ts';
import { correctAssessment, correctInspection, recordAssessment, recordInspection } from './annualRecords.ts';
import { allowanceReport, allowanceSheets, lastYear, type AllowanceReport, type ReportLang, type ReportSheet } from './allowanceReport.ts';
import { applicationDetail, listItems, type ApplicationDetail, type ApplicationListItem } from './applicantView.ts';
import { runCommand, type Result, type ServiceError } from './runCommand.ts';

export type { ServiceError };

/** The personal numbers a reviewer may reveal in plaintext. */
export const REVEALABLE = ['idNumber', 'mobile'] as const;
export type RevealableField = (typeof REVEALABLE)[number];

const forbidden = (what: string): ServiceError => ({ status: 403, code: 'outOfScope', message: `${what} is outside your region or levels` });
/** The most workers one name search lists the applications of (a common name in a whole province). */
const NAME_MATCHES = 1_000;
const actorOf = (admin: AdminRecord): Actor => ({ kind: 'admin', id: admin.id, name: admin.name });

/**
 * What the admin API can do, scoped to the calling admin (region and levels; acting also needs the tier that
 * manages the level) and written to the append-only audit log, refusals included. Routes in src/http/admin call exactly one of these.
 */
export function createAdminService(deps: CertificationDeps) {
  async function audited<T>(admin: AdminRecord, action: string, target: string, detail: Record<string, unknown>, run: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = await run();
    const outcome: AuditEntry['outcome'] = result.ok ? 'done' : result.error.status === 409 ? 'conflict' : result.error.status === 403 ? 'refused' : 'invalid';
    await deps.audit.append({ at: deps.clock.now().toISOString(), adminId: admin.id, action, target, outcome, detail: result.ok ? detail : { ...detail, ...result.error.detail, error: result.error.message } });
    return result;
  }

  /** Before any change: the application is in the admin's scope, and their tier manages its level. */
  const guard = (admin: AdminRecord) => (app: Application) => (inScope(scopeOf(admin), app) ? actRefusal(deps.policies, admin, app, 'applications') : forbidden(`application ${app.id}`));

  /** See `evidence` below. */
  async function evidencePhoto(admin: AdminRecord, id: string, index: number): Promise<Result<StoredMedia>> {
    const app = await deps.applications.get(id);
    if (!app) return { ok: false, error: { status: 404, code: 'notFound', message: `no application ${id}` } };
    if (!inScope(scopeOf(admin), app)) return { ok: false, error: forbidden(`application ${id}`) };
    const ref = app.evidence[index];
    if (ref === undefined) return { ok: false, error: { status: 404, code: 'notFound', message: `application ${id} has ${app.evidence.length} evidence photo(s); there is no photo ${index}` } };
    try {
      return { ok: true, value: await archiveMedia(deps, ref) };
    } catch (err) {
      const gone = err instanceof UnknownMediaError || err instanceof MediaGoneError;
      deps.logger.warn({ application: id, index, err: (err as Error).message }, 'evidence photo not available');
      return gone
        ? { ok: false, error: { status: 404, code: 'mediaGone', message: `evidence photo ${index} of application ${id} was not kept and can no longer be fetched from its channel` } }
        : { ok: false, error: { status: 502, code: 'mediaUnavailable', message: `evidence photo ${index} of application ${id} could not be fetched from its channel just now; try again later` } };
    }
  }

  return {
    async listApplications(admin: AdminRecord, q: { stage?: string; status?: Application['status']; level?: string; region?: string; name?: string; limit: number; cursor?: string }): Promise<Result<Page<ApplicationListItem>>> {
      const scope = scopeOf(admin);
      // A stage or level no loaded policy has is a typo: say so rather than answer an empty list.
      const policies = deps.policies.all();
      if (q.stage && !policies.some((p) => p.pipeline.stages.some((st) => st.id === q.stage))) {
        const known = [...new Set(policies.flatMap((p) => p.pipeline.stages.map((st) => st.id)))].join(', ');
        return { ok: false, error: { status: 400, code: 'unknownStage', message: `stage ${q.stage} is no stage of a loaded policy; use one of: ${known}`, params: { stage: q.stage } } };
      }
      if (q.level && !policies.some((p) => p.levels.some((l) => l.id === q.level))) {
        const known = [...new Set(policies.flatMap((p) => p.levels.map((l) => l.id)))].join(', ');
        return { ok: false, error: { status: 400, code: 'unknownLevel', message: `level ${q.level} is no level of a loaded policy; use one of: ${known}`, params: { level: q.level } } };
      }
      // A narrower region than the admin's own is fine; a region outside it is refused rather than silently empty.
      const region = q.region ?? scope.regionPrefix;
      if (!region.startsWith(scope.regionPrefix)) return { ok: false, error: forbidden(`region ${q.region}`) };
      if (q.level && scope.levels && !scope.levels.includes(q.level)) return { ok: false, error: forbidden(`level ${q.level}`) };
      const filter: ApplicationFilter = {
        regionPrefix: region,
        ...(q.stage ? { stage: q.stage } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.level ? { level: q.level } : scope.levels ? { levels: scope.levels } : {}),
        // The applicant's full name, exactly (names are plaintext, an indexed equality on workers; nothing is
        // decrypted). A name shared by more than NAME_MATCHES workers lists the applications of the first so many.
        ...(q.name ? { workerIds: await deps.workers.idsNamed(q.name, NAME_MATCHES) } : {}),
      };
      try {
        const page = await deps.applications.list(filter, { limit: q.limit, cursor: q.cursor ?? null });
        return { ok: true, value: { ...page, items: await listItems(deps, page.items) } };
      } catch (err) {
        // A cursor is opaque to clients; one that does not decode was not given by this API.
        if ((err as Error).name === 'InvalidCursorError') return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
        throw err;
      }
    },

    async getApplication(admin: AdminRecord, id: string): Promise<Result<ApplicationDetail>> {
      const app = await deps.applications.get(id);
      if (!app) return { ok: false, error: { status: 404, code: 'notFound', message: `no application ${id}` } };
      if (!inScope(scopeOf(admin), app)) return { ok: false, error: forbidden(`application ${id}`) };
      return { ok: true, value: await applicationDetail(deps, app) };
    },

    /**
     * The applicant's ID and/or mobile number in plaintext, for the reviewer who must check them. Reading scope is
     * not enough: only the committee that acts on the application (its managing tier, as for any act) may, and
     * every reveal, refusals included, is audited with the fields named (never their values).
     */
    reveal(admin: AdminRecord, id: string, fields: readonly RevealableField[]): Promise<Result<Partial<Record<RevealableField, string>> & { workerId: string }>> {
      return audited(admin, 'revealApplicant', `application:${id}`, { fields: [...fields] }, async () => {
        const app = await deps.applications.get(id);
        if (!app) return { ok: false, error: { status: 404, code: 'notFound', message: `no application ${id}` } };
        const refused = guard(admin)(app);
        if (refused) return { ok: false, error: refused };
        const worker = await deps.workers.findById(app.workerId);
        if (!worker) return { ok: false, error: { status: 404, code: 'notFound', message: `the applicant of application ${id} (worker ${app.workerId}) is not registered` } };
        const value: Partial<Record<RevealableField, string>> & { workerId: string } = { workerId: worker.id };
        for (const f of fields) value[f] = worker[f];
        return { ok: true, value };
      });
    },

    /**
     * Evidence photo `index` (from 0) of an application, from the kept copy; a photo not copied yet is fetched
     * from its platform now, if it still has it. 404 when there is no such photo or it is gone for good, 502
     * when the platform fails (try again later). Each viewing is in the audit log: the photo is personal data.
     */
    evidence(admin: AdminRecord, id: string, index: number): Promise<Result<StoredMedia>> {
      return audited(admin, 'viewEvidence', `application:${id}`, { index }, () => evidencePhoto(admin, id, index));
    },

    command(admin: AdminRecord, id: string, command: PipelineCommand, expectedVersion: number): Promise<Result<Application>> {
      return audited(admin, command.type, `application:${id}`, { ...command, expectedVersion }, () =>
        runCommand(deps, id, command, actorOf(admin), { expectedVersion, allow: guard(admin) }),
      );
    },

    recordObjection(admin: AdminRecord, id: string, text: string, expectedVersion: number): Promise<Result<Application>> {
      const command: PipelineCommand = { type: 'recordObjection', id: randomUUID().slice(0, 8), text };
      return audited(admin, 'recordObjection', `application:${id}`, { objection: command.id, expectedVersion }, () =>
        runCommand(deps, id, command, actorOf(admin), { expectedVersion, allow: guard(admin) }),
      );
    },

    recordInspection(admin: AdminRecord, number: string, input: { year: number; passed: boolean; note?: string }) {
      return audited(admin, 'recordInspection', `certificate:${number}`, input, () => recordInspection(deps, admin, number, input));
    },

    recordAssessment(admin: AdminRecord, number: string, input: { year: number; grade: AssessmentGrade; note?: string }) {
      return audited(admin, 'recordAssessment', `certificate:${number}`, input, () => recordAssessment(deps, admin, number, input));
    },

    /** See annualRecords.correctInspection: audited with the reason, refusals included. */
    correctInspection(admin: AdminRecord, number: string, year: number, input: { passed: boolean; reason: string }) {
      return audited(admin, 'correctInspection', `certificate:${number}`, { year, ...input }, () => correctInspection(deps, admin, number, year, input));
    },

    correctAssessment(admin: AdminRecord, number: string, year: number, input: { grade: AssessmentGrade; reason: string }) {
      return audited(admin, 'correctAssessment', `certificate:${number}`, { year, ...input }, () => correctAssessment(deps, admin, number, year, input));
    },

    /**
     * The 红领津贴 report of `year` (default: last year, China time) in `lang`, with its sheets for a file. Every
     * export is audited: it carries names, in full where the admin's tier manages the certificate.
     */
    allowanceReport(admin: AdminRecord, q: { year?: number; lang: ReportLang; format: string; limit?: number }): Promise<Result<AllowanceReport & { sheets: ReportSheet[] }>> {
      const year = q.year ?? lastYear(deps.clock.now());
      // Filled in once the report is made (audited writes the detail after the run): what left the system, as counts.
      const detail: Record<string, unknown> = { year, lang: q.lang, format: q.format, ...(q.limit !== undefined ? { limit: q.limit } : {}) };
      return audited(admin, 'exportAllowanceReport', `report:allowance:${year}`, detail, async () => {
        const thisYear = lastYear(deps.clock.now()) + 1;
        if (year > thisYear) return { ok: false, error: { status: 400, code: 'futureYear', message: `year ${year} is in the future (it is ${thisYear} in China); the allowance is reported for ${thisYear - 1} or earlier` } };
        const r = await allowanceReport(deps, admin, year, q.lang, q.limit);
        if (!r.ok) return r;
        Object.assign(detail, { rows: r.value.rows.length, excluded: r.value.excluded.length, fullNames: [...r.value.rows, ...r.value.excluded].filter((x) => !x.nameMasked).length });
        return { ok: true, value: { ...r.value, sheets: allowanceSheets(deps, r.value) } };
      });
    },

    async audit(admin: AdminRecord, q: { target?: string; limit: number }): Promise<Result<AuditEntry[]>> {
      // Admins read their own trail; the region-wide audit view belongs to the console (a later issue).
      return { ok: true, value: await deps.audit.list({ adminId: admin.id, ...(q.target ? { target: q.target } : {}) }, q.limit) };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
