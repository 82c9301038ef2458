/** The broadcast routes by name, on the console's one HTTP client (session cookie, CSRF, ApiError). */
import type { HttpClient, Query } from '../../api/http.ts';
import type { Broadcast, BroadcastBody, BroadcastEdit, BroadcastPage, BroadcastSettings, DryRun, RecipientPage, SessionOption, TestSendResult, Channel } from './types.ts';

export type ControlAction = 'send' | 'approve' | 'pause' | 'resume' | 'cancel';

/** The training API has answered with either `{ items }` or `{ sessions }` in its versions; read both. */
function sessionList(body: unknown): SessionOption[] {
  if (Array.isArray(body)) return body as SessionOption[];
  if (body && typeof body === 'object') {
    const o = body as { items?: unknown; sessions?: unknown };
    if (Array.isArray(o.items)) return o.items as SessionOption[];
    if (Array.isArray(o.sessions)) return o.sessions as SessionOption[];
  }
  return [];
}

export function createBroadcastsApi(http: HttpClient) {
  const enc = encodeURIComponent;
  const one = (id: string) => `/broadcasts/${enc(id)}`;
  return {
    list: (query: Query) => http.get<BroadcastPage>('/broadcasts', query),
    get: (id: string) => http.get<Broadcast>(one(id)),
    create: (body: BroadcastBody) => http.post<Broadcast>('/broadcasts', body),
    update: (id: string, body: BroadcastEdit) => http.patch<Broadcast>(one(id), body),
    dryRun: (id: string) => http.post<DryRun>(`${one(id)}/dry-run`),
    testSend: (id: string) => http.post<TestSendResult>(`${one(id)}/test-send`),
    control: (id: string, action: ControlAction) => http.post<Broadcast>(`${one(id)}/${action}`),
    decideUnknown: (id: string, action: 'resend' | 'drop') => http.post<Broadcast>(`${one(id)}/unknown`, { action }),
    recipients: (id: string, query: Query) => http.get<RecipientPage>(`${one(id)}/recipients`, query),
    /** Where this admin's test sends go: their own chat id on one channel. */
    bindTestTarget: (target: { channel: Channel; userId: string }) => http.put<{ channel: string; userId: string }>('/broadcasts/test-target', target),
    settings: () => http.get<BroadcastSettings>('/broadcasts/settings'),
    sessions: async (query: Query = {}) => sessionList(await http.get<unknown>('/training/sessions', query)),
  };
}

export type BroadcastsApi = ReturnType<typeof createBroadcastsApi>;
