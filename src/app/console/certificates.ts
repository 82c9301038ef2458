import { effectiveStatus } from '../../domain/certification/annual.ts';
import type { Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { Result } from '../certification/runCommand.ts';
import type { ConsoleDeps } from './deps.ts';
import { namesOf } from './names.ts';

/** A certificate number as typed: letters, digits and dashes (see verifyCertificate's CERTIFICATE_NUMBER). */
const NUMBER_LIKE = /^[A-Za-z0-9-]{3,40}$/;
/** The most holders of one name a search lists the certificates of. */
const NAMESAKES = 500;

const cursorOf = (number: string) => Buffer.from(number, 'utf8').toString('base64url');
function numberOfCursor(cursor: string): string | null {
  const n = Buffer.from(cursor, 'base64url').toString('utf8');
  return NUMBER_LIKE.test(n) ? n : null;
}

/**
 * Certificates in the admin's scope by number (a prefix of it) or by the holder's full name. Names are stored in
 * plaintext (only ID and mobile numbers are sealed), so a name is an indexed equality on workers, then the
 * certificates of those workers; nothing is decrypted. Names in the list are masked as everywhere in lists.
 */
export async function searchCertificates(deps: ConsoleDeps, admin: AdminRecord, q: { q?: string; status?: CertificateStatus; cursor?: string; limit: number }): Promise<Result<{ items: unknown[]; nextCursor?: string }>> {
  const scope = scopeOf(admin);
  const after = q.cursor === undefined ? undefined : numberOfCursor(q.cursor);
  if (after === null) return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
  let workerIds: string[] | undefined;
  let number: string | undefined;
  const text = q.q?.trim();
  if (text) {
    if (NUMBER_LIKE.test(text) && /\d/.test(text)) number = text.toUpperCase();
    else {
      workerIds = await deps.workers.idsNamed(text, NAMESAKES);
      if (workerIds.length === 0) return { ok: true, value: { items: [] } };
    }
  }
  const certs = await deps.reads.searchCertificates({ scope, ...(number ? { number } : {}), ...(workerIds ? { workerIds } : {}), ...(q.status ? { status: q.status } : {}), ...(after ? { after } : {}), limit: q.limit + 1 });
  const page = certs.slice(0, q.limit);
  return { ok: true, value: { items: await listItems(deps, page), ...(certs.length > q.limit ? { nextCursor: cursorOf(page.at(-1)!.number) } : {}) } };
}

/** A page of certificates as the lists show them: the holder's name masked, the status as of today in China. */
async function listItems(deps: ConsoleDeps, page: readonly Certificate[]) {
  const holders = await deps.reads.workerNames(page.map((c) => c.workerId));
  const names = namesOf(deps.policies, deps.regions);
  const today = chinaDate(deps.clock.now());
  return page.map((c) => {
    const holder = holders.get(c.workerId);
    return {
      number: c.number,
      holderName: holder === undefined ? '—' : maskName(holder),
      level: c.level,
      levelName: names.level(c.level),
      regionCode: c.regionCode,
      status: effectiveStatus(c, today),
      validFrom: c.issuedOn,
      validUntil: c.validUntil,
    };
  });
}

const recentCursorOf = (c: Certificate) => Buffer.from(`${c.issuedOn}|${c.number}`, 'utf8').toString('base64url');
function recentAfter(cursor: string): { issuedOn: string; number: string } | null {
  const [issuedOn, number, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !issuedOn || !/^\d{4}-\d{2}-\d{2}$/.test(issuedOn) || !number || !NUMBER_LIKE.test(number)) return null;
  return { issuedOn, number };
}

/**
 * The certificates page before any search: the scope's certificates, the most recently issued first, keyset paged
 * on (issuedOn, number) and read from the (regionPath, issuedOn, _id) index, a page at a time.
 */
export async function recentCertificates(deps: ConsoleDeps, admin: AdminRecord, q: { cursor?: string; limit: number }): Promise<Result<{ items: unknown[]; nextCursor?: string }>> {
  const before = q.cursor === undefined ? undefined : recentAfter(q.cursor);
  if (before === null) return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
  const certs = await deps.reads.recentCertificates({ scope: scopeOf(admin), ...(before ? { before } : {}), limit: q.limit + 1 });
  const page = certs.slice(0, q.limit);
  return { ok: true, value: { items: await listItems(deps, page), ...(certs.length > q.limit ? { nextCursor: recentCursorOf(page.at(-1)!) } : {}) } };
}

export const verifyUrlOf = (deps: Pick<ConsoleDeps, 'publicBaseUrl'>, number: string) => `${deps.publicBaseUrl}/verify/${encodeURIComponent(number)}`;

/** One certificate in scope with its 年检 and 考核 by year (corrections included) and its public verify address. */
export async function certificateDetail(deps: ConsoleDeps, admin: AdminRecord, number: string): Promise<Result<Certificate & Record<string, unknown>>> {
  const cert = await deps.certificates.get(number);
  if (!cert) return { ok: false, error: { status: 404, code: 'notFound', message: `no certificate ${number}` } };
  if (!inScope(scopeOf(admin), cert)) return { ok: false, error: { status: 403, code: 'outOfScope', message: `certificate ${number} is outside your region or levels` } };
  const today = chinaDate(deps.clock.now());
  const first = Number(cert.issuedOn.slice(0, 4));
  const last = Math.min(Number(today.slice(0, 4)), Number(cert.validUntil.slice(0, 4)));
  const years = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  const [worker, records] = await Promise.all([deps.reads.workerNames([cert.workerId]), Promise.all(years.map((y) => deps.annual.get(cert.workerId, y)))]);
  const mine = records.filter((r) => r !== null && r.certificateNumber === cert.number);
  const names = namesOf(deps.policies, deps.regions);
  const status = effectiveStatus(cert, today);
  // What this admin may record, as the record and correction routes decide it, so the page offers only that.
  const refused = actRefusal(deps.policies, admin, cert, 'certificates');
  const closed = status === 'revoked' || status === 'expired';
  const allowedActions = refused ? [] : [...(closed ? [] : ['recordInspection']), 'recordAssessment', 'correctInspection', 'correctAssessment'];
  return {
    ok: true,
    value: {
      ...cert,
      allowedActions,
      ...(refused ? { actRefusal: { error: refused.message, code: refused.code, params: refused.params } } : {}),
      holderName: worker.get(cert.workerId) ?? '—',
      levelName: names.level(cert.level),
      regionName: names.region(cert.regionCode),
      effectiveStatus: status,
      inspections: mine.filter((r) => r!.inspection).map((r) => ({ year: r!.year, ...r!.inspection! })),
      assessments: mine.filter((r) => r!.assessment).map((r) => ({ year: r!.year, ...r!.assessment! })),
      verifyUrl: verifyUrlOf(deps, cert.number),
    },
  };
}
