import { applyAction, type PipelineCommand, type PipelineError } from '../../domain/certification/pipeline.ts';
import { certificateFor, formatCertificateNumber, scopeRegionOf } from '../../domain/certification/certificateNumber.ts';
import type { Actor, Application, ApplicationEvent } from '../../domain/certification/types.ts';
import type { Policy } from '../../domain/policy/schema.ts';
import { ConflictError } from '../ports/certification.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { NOTICE_ENDED_JOB, type CertificationDeps } from './deps.ts';
import { notifyWorker } from './notifyWorker.ts';

/** A refusal with the HTTP status it maps to; the message is safe to show. */
export interface ServiceError {
  status: 400 | 403 | 404 | 409 | 422 | 500 | 502;
  code: string;
  message: string;
  /** Facts of the refusal for the audit trail (not sent to the client beyond the message). */
  detail?: Record<string, unknown>;
  /** Extra fields of the JSON answer, next to `error` (a conflict names who changed what). */
  body?: Record<string, unknown>;
  /** The facts a client needs to word the refusal itself (a pass mark, the notice's end), sent as `params`. */
  params?: Record<string, unknown>;
}

/**
 * A 409 that says who changed the application and what they did (its latest history event), so the console can
 * tell the admin and offer a reload without losing what they typed.
 */
export function conflictError(app: Application, message: string): ServiceError {
  const last = app.history.at(-1);
  const by = !last ? null : last.actor.kind === 'admin' ? last.actor.name : last.actor.kind === 'worker' ? 'applicant' : `system:${last.actor.id}`;
  return {
    status: 409,
    code: 'conflict',
    message,
    body: { code: 'conflict', current: { version: app.version, stage: app.stage, status: app.status, by, byKind: last?.actor.kind ?? null, at: last?.at ?? app.updatedAt, action: last?.action ?? null } },
  };
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

const STATUS_OF: Record<PipelineError['code'], ServiceError['status']> = {
  notAllowed: 422,
  wrongStage: 422,
  closed: 422,
  guard: 422,
  invalid: 400,
  forbiddenActor: 403,
};

/**
 * One command on one application, the same for admins, workers and the scheduler: read → decide (pure pipeline)
 * → one compare-and-set write → carry out the effects (notify the worker, schedule the notice's end, issue the
 * certificate). The write is the commit point; effects are idempotent so a retry after a crash repeats them safely.
 */
export async function runCommand(
  deps: CertificationDeps,
  applicationId: string,
  command: PipelineCommand,
  actor: Actor,
  opts: { expectedVersion?: number; allow?: (app: Application) => ServiceError | null } = {},
): Promise<Result<Application>> {
  const app = await deps.applications.get(applicationId);
  if (!app) return { ok: false, error: { status: 404, code: 'notFound', message: `no application ${applicationId}` } };
  const refused = opts.allow?.(app);
  if (refused) return { ok: false, error: refused };
  if (opts.expectedVersion !== undefined && app.version !== opts.expectedVersion) {
    const last = app.history.at(-1);
    const who = last?.actor.kind === 'admin' ? ` (${last.actor.name}: ${last.action})` : last ? ` (${last.actor.kind}: ${last.action})` : '';
    return { ok: false, error: conflictError(app, `application ${applicationId} is at version ${app.version}, not ${opts.expectedVersion}: someone changed it since you read it${who}; reload and try again`) };
  }
  const policy = deps.policies.get(app.policyId);
  if (!policy) return { ok: false, error: { status: 500, code: 'policyMissing', message: `policy ${app.policyId} is not loaded` } };

  const decided = applyAction(app, policy, command, actor, deps.clock.now());
  if (!decided.ok) {
    const { code, message, details } = decided.error;
    return { ok: false, error: { status: STATUS_OF[code], code, message, ...(details ? { params: details } : {}) } };
  }
  try {
    await deps.applications.save(decided.app);
  } catch (err) {
    if (err instanceof ConflictError) {
      const message = `application ${applicationId} was changed by someone else at the same time; reload and try again`;
      const latest = await deps.applications.get(applicationId);
      return { ok: false, error: latest ? conflictError(latest, message) : { status: 409, code: 'conflict', message } };
    }
    throw err;
  }

  let current = decided.app;
  for (const effect of decided.effects) {
    if (effect.kind === 'scheduleNoticeEnd') {
      await deps.scheduler.scheduleAt(NOTICE_ENDED_JOB, new Date(effect.at), current.id, { applicationId: current.id });
    } else if (effect.kind === 'issueCertificate') {
      current = await ensureCertificate(deps, current, policy);
    } else if (effect.kind === 'notifyWorker') {
      await notifyWorker(deps, current, policy, effect.event);
    }
  }
  // Reminders follow the application (a return schedules them, a resubmission cancels them); never fails the command.
  await deps.onApplicationChanged?.(current).catch((err: unknown) => deps.logger.warn({ err, application: current.id }, 'could not update the reminders of an application'));
  return { ok: true, value: current };
}

/**
 * Issue the certificate of a certified application and record its number on the application. Both steps are
 * idempotent (one certificate per application; the number is only written where it is missing), so running this
 * again after a crash completes the job without a second number; the certificate sweep (certificateSweep.ts) is
 * what runs it again.
 */
export async function ensureCertificate(deps: CertificationDeps, app: Application, policy: Policy): Promise<Application> {
  const issuedOn = chinaDate(deps.clock.now());
  const year = Number(issuedOn.slice(0, 4));
  const scopeRegion = scopeRegionOf(policy, app.level, app.regionCode);
  const levelCode = policy.levels.find((l) => l.id === app.level)!.code;
  const cert = await deps.certificates.issue(certificateFor(app, policy, issuedOn, scopeRegion), year, (seq) =>
    formatCertificateNumber(policy.certificate.numberFormat, { region: scopeRegion, year, levelCode, seq }),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = (await deps.applications.get(app.id)) ?? app;
    if (latest.certificateNumber === cert.number) return latest;
    const at = deps.clock.now().toISOString();
    // Its own history event, so the number's arrival is not a silent change (the certify event came before it).
    const issued: ApplicationEvent = {
      at,
      actor: { kind: 'system', id: 'certificates' },
      action: 'certificateIssued',
      fromStage: latest.stage,
      toStage: latest.stage,
      fromStatus: latest.status,
      toStatus: latest.status,
      data: { number: cert.number },
    };
    const updated: Application = {
      ...latest,
      certificateNumber: cert.number,
      history: [...latest.history, issued],
      version: latest.version + 1,
      updatedAt: at,
    };
    try {
      await deps.applications.save(updated);
      return updated;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  deps.logger.error({ application: app.id, certificate: cert.number }, 'certificate issued but its number could not be recorded on the application');
  return app;
}
