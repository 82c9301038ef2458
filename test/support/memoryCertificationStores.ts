import {
  ConflictError,
  OpenApplicationExistsError,
  type AdminRecord,
  type AdminToken,
  type AdminRepository,
  type AnnualRecordRepository,
  type ApplicationFilter,
  type ApplicationRepository,
  type AuditEntry,
  type AuditLog,
  type CertificateRepository,
} from '../../src/app/ports/certification.ts';
import type { AnnualRecord, Application, Certificate } from '../../src/domain/certification/types.ts';

/**
 * In-memory certification stores for unit tests of the use cases. Each passes the same contract suite as its
 * MongoDB counterpart (test/store/certificationContracts.ts, run by test/store/memoryCertificationStores.unit.test.ts),
 * so a use case tested over these behaves the same over the database: one open application per worker and level,
 * compare-and-set saves, keyset pages newest first, one certificate number per application.
 *
 * They live with the tests, not in src/store: nothing in the product runs without the database (`npm start` and
 * `npm run chat` start the embedded one), and a second production store would be a second thing to keep right.
 * Every operation is synchronous inside its promise, which is what makes the contract's races come out atomic.
 */

const OPEN: ReadonlySet<Application['status']> = new Set(['open', 'returned']);
const SORT_KEY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|./;

/** Named like the Mongo store's error: the admin service recognises a bad cursor by this name (HTTP 400). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

/** A copy without the properties whose value is undefined, as the Mongo stores write (ignoreUndefined). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(structuredClone(value)).filter(([, v]) => v !== undefined)) as T;
}

const sortKeyOf = (app: Application) => `${new Date(app.createdAt).toISOString()}|${app.id}`;

export function createMemoryApplicationRepository(): ApplicationRepository {
  const byId = new Map<string, Application>();
  const openOf = (workerId: string, level: string, except?: string) =>
    [...byId.values()].find((a) => a.workerId === workerId && a.level === level && OPEN.has(a.status) && a.id !== except);

  function matches(app: Application, filter: ApplicationFilter): boolean {
    if (filter.stage !== undefined && app.stage !== str(filter.stage, 'stage')) return false;
    if (filter.status !== undefined && app.status !== str(filter.status, 'status')) return false;
    if (filter.policyId !== undefined && app.policyId !== str(filter.policyId, 'policyId')) return false;
    if (filter.workerIds !== undefined && !filter.workerIds.map((w) => str(w, 'workerIds[]')).includes(app.workerId)) return false;
    if (filter.regionPrefix !== undefined && !app.regionCode.startsWith(str(filter.regionPrefix, 'regionPrefix'))) return false;
    // An empty `levels` means all levels, as on AdminRecord.
    const levels = filter.levels?.length ? filter.levels.map((l) => str(l, 'levels[]')) : null;
    if (filter.level !== undefined && app.level !== str(filter.level, 'level')) return false;
    return !levels || levels.includes(app.level);
  }

  return {
    async create(app) {
      str(app.id, 'id');
      if (byId.has(app.id)) throw new Error(`application ${app.id} already exists`);
      const open = OPEN.has(app.status) ? openOf(app.workerId, app.level) : undefined;
      if (open) throw new OpenApplicationExistsError(structuredClone(open));
      byId.set(app.id, defined(app));
    },

    async get(id) {
      const app = byId.get(str(id, 'id'));
      return app ? structuredClone(app) : null;
    },

    async listByWorker(workerId) {
      str(workerId, 'workerId');
      return [...byId.values()]
        .filter((a) => a.workerId === workerId)
        .sort((a, b) => (sortKeyOf(a) < sortKeyOf(b) ? 1 : -1))
        .map((a) => structuredClone(a));
    },

    async save(app) {
      str(app.id, 'id');
      if (!Number.isInteger(app.version) || app.version < 1) throw new TypeError('version must be a positive integer');
      const stored = byId.get(app.id);
      if (!stored) throw new ConflictError(`application ${app.id} does not exist`);
      if (stored.version !== app.version - 1) throw new ConflictError(`application ${app.id} is at version ${stored.version}, not ${app.version - 1}: someone else changed it`);
      const open = OPEN.has(app.status) ? openOf(app.workerId, app.level, app.id) : undefined;
      if (open) throw new OpenApplicationExistsError(structuredClone(open));
      byId.set(app.id, defined(app));
    },

    async list(filter, page) {
      const { limit } = page;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError('limit must be an integer from 1 to 100');
      let before: string | null = null;
      if (page.cursor !== undefined && page.cursor !== null) {
        if (typeof page.cursor !== 'string' || page.cursor.length > 1024) throw new InvalidCursorError('invalid cursor');
        before = Buffer.from(page.cursor, 'base64url').toString('utf8');
        if (!SORT_KEY.test(before)) throw new InvalidCursorError('invalid cursor');
      }
      const rows = [...byId.values()]
        .filter((a) => matches(a, filter))
        .map((a) => ({ key: sortKeyOf(a), a }))
        .filter((r) => before === null || r.key < before)
        .sort((x, y) => (x.key < y.key ? 1 : -1));
      const items = rows.slice(0, limit);
      const next = rows.length > limit ? Buffer.from(items.at(-1)!.key, 'utf8').toString('base64url') : null;
      return { items: items.map((r) => structuredClone(r.a)), next };
    },

    async noticesDueBy(now) {
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
      const due = (a: Application) => Date.parse(a.noticeEndsAt!);
      return [...byId.values()]
        .filter((a) => a.status === 'open' && a.noticeEndsAt && due(a) <= now.getTime())
        .sort((a, b) => due(a) - due(b) || (a.id < b.id ? -1 : 1))
        .map((a) => structuredClone(a));
    },

    async certificatesMissingBy(before) {
      if (!(before instanceof Date) || Number.isNaN(before.getTime())) throw new TypeError('before must be a valid Date');
      const at = (a: Application) => Date.parse(a.updatedAt);
      return [...byId.values()]
        .filter((a) => a.status === 'certified' && !a.certificateNumber && at(a) <= before.getTime())
        .sort((a, b) => at(a) - at(b) || (a.id < b.id ? -1 : 1))
        .map((a) => structuredClone(a));
    },
  };
}

export function createMemoryCertificateRepository(): CertificateRepository {
  const byNumber = new Map<string, Certificate>();
  /** Per (issuing scope, year): the applications in the order they took their numbers (claims[seq - 1]). */
  const claims = new Map<string, string[]>();
  const byApplication = (id: string) => [...byNumber.values()].find((c) => c.applicationId === id);

  return {
    async issue(input, year, format) {
      const applicationId = str(input.applicationId, 'applicationId');
      str(input.regionCode, 'regionCode');
      if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
      const existing = byApplication(applicationId);
      if (existing) return structuredClone(existing);
      const counter = `cert:${str(input.scopeRegionCode, 'scopeRegionCode')}:${year}`;
      const taken = claims.get(counter) ?? [];
      claims.set(counter, taken);
      // Reserved before `format` runs: a failure after this keeps the number for this application's retry.
      if (!taken.includes(applicationId)) taken.push(applicationId);
      const number = str(format(taken.indexOf(applicationId) + 1), 'certificate number');
      if (byNumber.has(number)) throw new Error(`certificate number ${number} already belongs to another certificate: does the number format include the region and year?`);
      const cert: Certificate = { ...defined(input), number };
      byNumber.set(number, cert);
      return structuredClone(cert);
    },

    async get(number) {
      const cert = byNumber.get(str(number, 'number'));
      return cert ? structuredClone(cert) : null;
    },

    async listByWorker(workerId) {
      str(workerId, 'workerId');
      return [...byNumber.values()]
        .filter((c) => c.workerId === workerId)
        .sort((a, b) => a.issuedOn.localeCompare(b.issuedOn) || (a.number < b.number ? -1 : 1))
        .map((c) => structuredClone(c));
    },

    async listForRegion(regionPrefix, heldIn) {
      const prefix = str(regionPrefix, 'regionPrefix');
      return [...byNumber.values()]
        .filter((c) => c.regionCode.startsWith(prefix))
        .filter((c) => heldIn === undefined || (c.issuedOn <= `${heldIn}-12-31` && c.validUntil >= `${heldIn}-01-01`))
        .sort((a, b) => (a.number < b.number ? -1 : 1))
        .map((c) => structuredClone(c));
    },

    async setStatus(number, status, reason, actor, at) {
      const cert = byNumber.get(str(number, 'number'));
      if (!cert) return null;
      cert.status = str(status, 'status') as Certificate['status'];
      cert.statusHistory.push({ at: at.toISOString(), status, reason: str(reason, 'reason'), actor: structuredClone(actor) });
      return structuredClone(cert);
    },

    async dueForExpiryNotice(lastDay) {
      str(lastDay, 'lastDay');
      return [...byNumber.values()]
        .filter((c) => c.validUntil <= lastDay && c.status !== 'revoked' && !c.notices?.expired)
        .sort((a, b) => a.validUntil.localeCompare(b.validUntil) || (a.number < b.number ? -1 : 1))
        .map((c) => structuredClone(c));
    },

    async claimNotice(number, notice, at) {
      const cert = byNumber.get(str(number, 'number'));
      if (!cert || cert.notices?.[notice]) return false;
      cert.notices = { ...cert.notices, [notice]: at.toISOString() };
      return true;
    },

    async releaseNotice(number, notice) {
      const cert = byNumber.get(str(number, 'number'));
      if (cert?.notices) delete cert.notices[notice];
    },
  };
}

export function createMemoryAnnualRecordRepository(): AnnualRecordRepository {
  const byKey = new Map<string, AnnualRecord>();

  function record(workerId: string, certificateNumber: string, year: number, part: 'inspection' | 'assessment' | 'satisfaction', value: object): AnnualRecord {
    str(workerId, 'workerId');
    str(certificateNumber, 'certificateNumber');
    if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
    const key = `${workerId}:${year}`;
    const current = byKey.get(key) ?? { workerId, certificateNumber, year, inspection: null, assessment: null };
    const next = { ...current, certificateNumber, [part]: defined(value) } as AnnualRecord;
    byKey.set(key, next);
    return structuredClone(next);
  }

  return {
    recordInspection: async (workerId, certificateNumber, year, inspection) => record(workerId, certificateNumber, year, 'inspection', inspection),
    recordAssessment: async (workerId, certificateNumber, year, assessment) => record(workerId, certificateNumber, year, 'assessment', assessment),
    recordSatisfaction: async (workerId, certificateNumber, year, satisfaction) => record(workerId, certificateNumber, year, 'satisfaction', satisfaction),

    async get(workerId, year) {
      const r = byKey.get(`${str(workerId, 'workerId')}:${year}`);
      return r ? structuredClone(r) : null;
    },

    async listForYear(year, workerIds) {
      if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
      return [...byKey.values()]
        .filter((r) => r.year === year && (workerIds === undefined || workerIds.includes(r.workerId)))
        .sort((a, b) => (a.workerId < b.workerId ? -1 : 1))
        .map((r) => structuredClone(r));
    },
  };
}

export function createMemoryAdminRepository(): AdminRepository {
  const byId = new Map<string, { admin: AdminRecord; passwordHash?: string }>();
  const tokens = new Map<string, { token: AdminToken; hash: string }>();
  const usernameTaken = (username: string | undefined, except?: string) => username !== undefined && [...byId.values()].some((e) => e.admin.username === username && e.admin.id !== except);
  return {
    async create(admin, passwordHash) {
      if (byId.has(str(admin.id, 'id')) || usernameTaken(admin.username)) throw new ConflictError(`admin ${admin.id} already exists`);
      byId.set(admin.id, { admin: structuredClone(admin), ...(passwordHash !== undefined ? { passwordHash } : {}) });
    },
    async get(id) {
      const found = byId.get(str(id, 'id'));
      return found ? structuredClone(found.admin) : null;
    },
    async findLogin(username) {
      const found = [...byId.values()].find((e) => e.admin.username === str(username, 'username'));
      return found?.passwordHash ? { admin: structuredClone(found.admin), passwordHash: found.passwordHash } : null;
    },
    async passwordHash(id) {
      return byId.get(str(id, 'id'))?.passwordHash ?? null;
    },
    async listInRegion(prefix) {
      return [...byId.values()].filter((e) => e.admin.regionCode.startsWith(prefix)).map((e) => structuredClone(e.admin)).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    },
    async count() {
      return byId.size;
    },
    async update(id, change) {
      const found = byId.get(str(id, 'id'));
      if (!found) return null;
      if (usernameTaken(change.username, id)) throw new ConflictError(`an account ${change.username} already exists`);
      const { passwordHash, ...fields } = change;
      found.admin = { ...found.admin, ...defined(fields) };
      if (passwordHash !== undefined) found.passwordHash = passwordHash;
      return structuredClone(found.admin);
    },
    async addToken(token, hash) {
      if (tokens.has(str(token.id, 'id'))) throw new ConflictError(`token ${token.id} already exists`);
      tokens.set(token.id, { token: structuredClone(token), hash: str(hash, 'hash') });
    },
    async findToken(id) {
      const found = tokens.get(str(id, 'id'));
      return found ? structuredClone(found) : null;
    },
    async listTokens(adminId) {
      return [...tokens.values()].filter((t) => t.token.adminId === adminId).map((t) => structuredClone(t.token)).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    },
    async revokeToken(adminId, id, at) {
      const found = tokens.get(str(id, 'id'));
      if (!found || found.token.adminId !== adminId || found.token.revokedAt) return false;
      found.token.revokedAt = at;
      return true;
    },
    async touchToken(id, at) {
      const found = tokens.get(str(id, 'id'));
      if (found) found.token.lastUsedAt = at;
    },
  };
}

const MAX_AUDIT_LIST = 1000;

/** Append-only, like the Mongo log: the object has append and list, nothing else. */
export function createMemoryAuditLog(): AuditLog {
  const entries: AuditEntry[] = [];
  return {
    async append(entry) {
      if (Number.isNaN(Date.parse(entry.at))) throw new TypeError('at must be an ISO time');
      str(entry.adminId, 'adminId');
      str(entry.action, 'action');
      str(entry.target, 'target');
      entries.push({ ...defined(entry), at: new Date(entry.at).toISOString() });
    },
    async list(filter, limit) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
      const adminId = filter.adminId === undefined ? undefined : str(filter.adminId, 'adminId');
      const target = filter.target === undefined ? undefined : str(filter.target, 'target');
      // Newest first; of two at the same time, the later appended first (as the Mongo log's _id order).
      return entries
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => (adminId === undefined || e.adminId === adminId) && (target === undefined || e.target === target))
        .sort((a, b) => Date.parse(b.e.at) - Date.parse(a.e.at) || b.i - a.i)
        .slice(0, Math.min(limit, MAX_AUDIT_LIST))
        .map(({ e }) => structuredClone(e));
    },
  };
}

/** The five certification stores over empty memory, in the shape CertificationDeps names them. */
export function createMemoryCertificationStores() {
  return {
    applications: createMemoryApplicationRepository(),
    certificates: createMemoryCertificateRepository(),
    annual: createMemoryAnnualRecordRepository(),
    admins: createMemoryAdminRepository(),
    audit: createMemoryAuditLog(),
  };
}
