/**
 * The admin API by name: every page calls these, never fetch. A route renamed on the server is one edit here.
 */
import { createHttpClient, type HttpClientOptions, type Query } from './http.ts';
import type {
  Catalog,
  Account,
  AllowanceReport,
  ApplicationDetail,
  ApplicationPage,
  AuditEntry,
  CertificateDetail,
  CertificateItem,
  CountsReport,
  Dashboard,
  Funnels,
  SavedFilter,
  SessionInfo,
  SessionRow,
  TokenRow,
} from './types.ts';

export type TransitionAction = 'advance' | 'return' | 'reject';

export function createAdminApi(options: Omit<HttpClientOptions, 'base'> & { base?: string } = {}) {
  const http = createHttpClient({ base: '/admin/api', ...options });
  const enc = encodeURIComponent;

  async function remember(session: Promise<SessionInfo>): Promise<SessionInfo> {
    const s = await session;
    http.setCsrfToken(s.csrfToken);
    return s;
  }

  return {
    http,
    login: (username: string, password: string) => remember(http.post<SessionInfo>('/session', { username, password })),
    session: () => remember(http.get<SessionInfo>('/session')),
    async logout() {
      try {
        await http.del('/session');
      } finally {
        http.setCsrfToken(undefined);
      }
    },
    changePassword: (currentPassword: string, newPassword: string) => http.post<void>('/session/password', { currentPassword, newPassword }),

    applications: (query: Query) => http.get<ApplicationPage>('/applications', query),
    application: (id: string) => http.get<ApplicationDetail>(`/applications/${enc(id)}`),
    evidenceUrl: (id: string, index: number) => http.url(`/applications/${enc(id)}/evidence/${index}`),
    transition: (id: string, action: TransitionAction, note: string, expectedVersion: number) =>
      http.post<ApplicationDetail>(`/applications/${enc(id)}/transitions`, { action, expectedVersion, ...(note ? { note } : {}) }),
    score: (id: string, score: number, expectedVersion: number) => http.post<ApplicationDetail>(`/applications/${enc(id)}/score`, { score, expectedVersion }),
    satisfaction: (id: string, rate: number, expectedVersion: number) =>
      http.post<ApplicationDetail>(`/applications/${enc(id)}/satisfaction`, { rate, expectedVersion }),
    objection: (id: string, text: string, expectedVersion: number) => http.post<ApplicationDetail>(`/applications/${enc(id)}/objections`, { text, expectedVersion }),
    decideObjection: (id: string, objectionId: string, upheld: boolean, note: string, expectedVersion: number) =>
      http.post<ApplicationDetail>(`/applications/${enc(id)}/objections/${enc(objectionId)}/decision`, { upheld, expectedVersion, ...(note ? { note } : {}) }),
    reveal: (id: string, fields: ('idNumber' | 'mobile')[]) => http.post<Record<string, string>>(`/applications/${enc(id)}/reveal`, { fields }),

    catalog: () => http.get<Catalog>('/catalog'),
    dashboard: () => http.get<Dashboard>('/dashboard'),
    funnels: (query: Query) => http.get<Funnels>('/funnels', query),

    certificates: (query: Query) => http.get<{ items: CertificateItem[]; nextCursor?: string | null }>('/certificates', query),
    certificate: (number: string) => http.get<CertificateDetail>(`/certificates/${enc(number)}`),
    certificateQrUrl: (number: string) => http.url(`/certificates/${enc(number)}/qr.svg`),
    correctInspection: (number: string, year: number, passed: boolean, reason: string) =>
      http.post<unknown>(`/certificates/${enc(number)}/inspections/${year}/correction`, { passed, reason }),
    correctAssessment: (number: string, year: number, grade: string, reason: string) =>
      http.post<unknown>(`/certificates/${enc(number)}/assessments/${year}/correction`, { grade, reason }),

    allowance: (year: number | undefined, lang: string) => http.get<AllowanceReport>('/reports/allowance', { year, lang, format: 'json' }),
    allowanceFile: (year: number | undefined, lang: string, format: 'xlsx' | 'csv') => http.download('/reports/allowance', { year, lang, format }),
    counts: (year: number | undefined) => http.get<CountsReport>('/reports/counts', { year }),

    audit: (query: Query) => http.get<{ items: AuditEntry[]; nextCursor?: string | null } | AuditEntry[]>('/audit', query),
    auditCsv: (query: Query) => http.download('/audit', { ...query, format: 'csv' }),

    savedFilters: () => http.get<{ filters: SavedFilter[] }>('/saved-filters'),
    saveFilter: (name: string, query: Record<string, string>) => http.post<SavedFilter>('/saved-filters', { name, query }),
    deleteFilter: (id: string) => http.del(`/saved-filters/${enc(id)}`),

    accounts: () => http.get<{ accounts: Account[] }>('/accounts'),
    createAccount: (input: { username: string; name: string; regionCode: string; levels?: string[] }) =>
      http.post<{ account: Account; temporaryPassword: string }>('/accounts', input),
    setAccountActive: (id: string, active: boolean) => http.post<Account>(`/accounts/${enc(id)}/${active ? 'activate' : 'deactivate'}`),
    resetPassword: (id: string) => http.post<{ temporaryPassword: string }>(`/accounts/${enc(id)}/reset-password`),
    sessions: () => http.get<{ sessions: SessionRow[] }>('/sessions'),
    revokeSession: (id: string) => http.del(`/sessions/${enc(id)}`),
    tokens: () => http.get<{ tokens: TokenRow[] }>('/tokens'),
    createToken: (label: string) => http.post<{ id: string; label: string; token: string }>('/tokens', { label }),
    revokeToken: (id: string) => http.del(`/tokens/${enc(id)}`),
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
