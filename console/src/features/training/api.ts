/** The training sessions part of the admin API, typed for the console pages. */
import { api } from '../../session.ts';

export interface SessionView {
  id: string;
  title: string;
  kind: 'certification' | 'continuing';
  levels: string[];
  roles: string[];
  /** Application stages a worker's application must be at to enrol; empty: no application needed. */
  stages: string[];
  regionCode: string;
  startsAt: string;
  endsAt: string;
  enrolBy: string;
  hours: number;
  capacity: number;
  place: string;
  status: 'open' | 'cancelled';
  version: number;
  enrolled: number;
  offered: number;
  waiting: number;
}

export interface EnrolmentView {
  workerId: string;
  name: string | null;
  state: 'enrolled' | 'waiting' | 'offered' | 'cancelled' | 'expired';
  seq: number;
  offeredUntil: string | null;
  score: number | null;
  attended: string[];
}

export interface CheckinCode {
  code: string;
  validUntil: string;
  /** The server's time when it answered: the countdown runs on it (the venue PC's clock may be off). */
  now: string;
  checkedIn: number;
  /** Whether the chat takes check-ins for this session now (from two hours before the start to its last day). */
  open: boolean;
  qrSvg: string;
}

/** Who may enrol: empty lists narrow nothing. */
export type Audience = Pick<SessionView, 'levels' | 'roles' | 'stages'>;

export type SessionInput = Pick<SessionView, 'title' | 'kind' | 'regionCode' | 'startsAt' | 'endsAt' | 'hours' | 'capacity' | 'place'> & Partial<Audience> & { enrolBy?: string };

export const trainingApi = {
  list: (query: { cursor?: string; limit?: number } = {}) => api.http.get<{ items: SessionView[]; nextCursor?: string }>('/training/sessions', query),
  get: (id: string) => api.http.get<SessionView>(`/training/sessions/${encodeURIComponent(id)}`),
  create: (body: SessionInput) => api.http.post<{ id: string }>('/training/sessions', body),
  edit: (id: string, body: Partial<SessionInput> & { expectedVersion: number }) => api.http.patch<SessionView>(`/training/sessions/${encodeURIComponent(id)}`, body),
  cancel: (id: string) => api.http.post<SessionView>(`/training/sessions/${encodeURIComponent(id)}/cancel`),
  enrolments: (id: string) => api.http.get<{ items: EnrolmentView[] }>(`/training/sessions/${encodeURIComponent(id)}/enrolments`),
  checkinCode: (id: string) => api.http.get<CheckinCode>(`/training/sessions/${encodeURIComponent(id)}/checkin-code`),
  markAttendance: (id: string, workerId: string) => api.http.post<{ recorded: boolean; credited: boolean }>(`/training/sessions/${encodeURIComponent(id)}/attendance`, { workerId }),
  recordResult: (id: string, workerId: string, score: number) => api.http.post<{ score: number; application: string | null }>(`/training/sessions/${encodeURIComponent(id)}/results`, { workerId, score }),
};
