import { randomUUID } from 'node:crypto';
import type { PipelineCommand } from '../../domain/certification/pipeline.ts';
import type { Actor, Application, AssessmentGrade } from '../../domain/certification/types.ts';
import { evidenceTimeline, type EvidenceEntry } from '../../domain/certification/evidenceTimeline.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { AdminRecord, ApplicationFilter, AuditEntry, Page } from '../ports/certification.ts';
import { MediaGoneError, UnknownMediaError, type StoredMedia } from '../ports/media.ts';
import { archiveMedia } from './archiveEvidence.ts';
import type { CertificationDeps } from './deps.ts';
import { recordAssessment, recordInspection } from './annualRecords.ts';
import { allowanceReport, type AllowanceReport } from './allowanceReport.ts';
import { runCommand, type Result, type ServiceError } from './runCommand.ts';

export type { ServiceError };

const forbidden = (what: string): ServiceError => ({ status: 403, code: 'outOfScope', message: `${what} is outside your region or levels` });
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
    async listApplications(admin: AdminRecord, q: { stage?: string; status?: Application['status']; level?: string; region?: string; limit: number; cursor?: string }): Promise<Result<Page<Application>>> {
      const scope = scopeOf(admin);
      // A narrower region than the admin's own is fine; a region outside it is refused rather than silently empty.
      const region = q.region ?? scope.regionPrefix;
      if (!region.startsWith(scope.regionPrefix)) return { ok: false, error: forbidden(`region ${q.region}`) };
      if (q.level && scope.levels && !scope.levels.includes(q.level)) return { ok: false, error: forbidden(`level ${q.level}`) };
      const filter: ApplicationFilter = {
        regionPrefix: region,
        ...(q.stage ? { stage: q.stage } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.level ? { level: q.level } : scope.levels ? { levels: scope.levels } : {}),
      };
      try {
        return { ok: true, value: await deps.applications.list(filter, { limit: q.limit, cursor: q.cursor ?? null }) };
      } catch (err) {
        // A cursor is opaque to clients; one that does not decode was not given by this API.
        if ((err as Error).name === 'InvalidCursorError') return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
        throw err;
      }
    },

    /** The application, and its evidence photos with the time each came (`evidenceTimeline`). */
    async getApplication(admin: AdminRecord, id: string): Promise<Result<Application & { evidenceTimeline: EvidenceEntry[] }>> {
      const app = await deps.applications.get(id);
      if (!app) return { ok: false, error: { status: 404, code: 'notFound', message: `no application ${id}` } };
      if (!inScope(scopeOf(admin), app)) return { ok: false, error: forbidden(`application ${id}`) };
      return { ok: true, value: { ...app, evidenceTimeline: evidenceTimeline(app) } };
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

    allowanceReport(admin: AdminRecord, year: number): Promise<Result<AllowanceReport>> {
      return allowanceReport(deps, scopeOf(admin), year);
    },

    async audit(admin: AdminRecord, q: { target?: string; limit: number }): Promise<Result<AuditEntry[]>> {
      // Admins read their own trail; the region-wide audit view belongs to the console (a later issue).
      return { ok: true, value: await deps.audit.list({ adminId: admin.id, ...(q.target ? { target: q.target } : {}) }, q.limit) };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
