/** The polls part of the admin API (docs/polls.md), on the console's shared client. */
import type { HttpClient, Query } from '../../api/http.ts';
import type { Localized } from '../../api/types.ts';

export const GROUPS = ['owner', 'member', 'employee'] as const;
export type PollGroup = (typeof GROUPS)[number];
export type Groups = Record<PollGroup, number>;
export interface Quorum {
  minShare: number;
  minAnswers: number;
}

export interface PollView {
  id: string;
  subject: { applicationId: string } | { certificateNumber: string; year: number };
  status: 'open' | 'closing' | 'closed';
  groups: Groups;
  answered: Groups;
  total: { roster: number; answered: number };
  closesAt: string;
  minGroupSize: number;
  quorum: Quorum & { required: number };
  extended: boolean;
  createdAt: string;
  closedAt: string | null;
  flags: { group: PollGroup; day: string; answers: number; withinSeconds: number }[];
  questions: string[];
  outcome?: { rate: number | null; quorumMet: boolean; recordedOn: string | null; note: string | null; notes?: Localized | null };
}

export type GroupResult = { answers: number; counts: Record<string, Record<string, number>> } | { hidden: true };
export interface PollResults {
  id: string;
  rate: number | null;
  valid: number;
  quorumMet: boolean;
  quorum: { required: number };
  note: string | null;
  aggregateOnly?: true;
  groups?: Partial<Record<PollGroup, GroupResult>>;
  comments?: { group: PollGroup; text: string }[];
}

export interface CreatePoll {
  subject: { applicationId: string } | { certificateNumber: string; year: number };
  groups: Groups;
  closesAt: string;
  minGroupSize?: number;
  quorum?: Partial<Quorum>;
}

export function pollsApi(http: HttpClient) {
  const enc = encodeURIComponent;
  return {
    list: (query: Query) => http.get<{ items: PollView[]; nextCursor?: string }>('/polls', query),
    suggestion: (query: Query) => http.get<{ suggestedGroups: Groups | null; minGroupSize: number; quorum: Quorum }>('/polls/suggestion', query),
    create: (input: CreatePoll) => http.post<PollView>('/polls', input),
    get: (id: string) => http.get<PollView>(`/polls/${enc(id)}`),
    codes: (id: string) => http.get<{ codes: { group: PollGroup; code: string; url: string }[] }>(`/polls/${enc(id)}/codes`),
    /** `lang`: the file's words, the CSV's headers or the printed sheet's (the console's language). */
    codesFile: (id: string, format: 'csv' | 'html', lang: string) => http.download(`/polls/${enc(id)}/codes`, { format, lang }),
    /** The printable sheet's address, for a tab of its own that opens the print dialog once loaded (the session cookie goes with it). */
    printSheetUrl: (id: string, lang: string) => http.url(`/polls/${enc(id)}/codes`, { format: 'html', lang, print: '1' }),
    close: (id: string) => http.post<PollView>(`/polls/${enc(id)}/close`),
    extend: (id: string, closesAt: string) => http.post<PollView>(`/polls/${enc(id)}/extend`, { closesAt }),
    results: (id: string) => http.get<PollResults>(`/polls/${enc(id)}/results`),
  };
}
