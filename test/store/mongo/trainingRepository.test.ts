import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import type { NewSession } from '../../../src/app/ports/training.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoTrainingRepository } from '../../../src/store/mongo/trainingRepository.ts';
import { testDbUri } from '../../support/db.ts';

let connection: Connection;
let repo: ReturnType<typeof createMongoTrainingRepository>;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('training_repository'));
  repo = createMongoTrainingRepository(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
});
afterAll(() => connection.close());

const now = new Date('2026-04-01T02:00:00Z');
const session = (capacity: number): NewSession => ({
  title: '初级党务培训',
  kind: 'certification',
  levels: [],
  roles: [],
  stages: [],
  regionCode: '320100',
  startsAt: new Date('2026-04-10T01:00:00Z'),
  endsAt: new Date('2026-04-10T09:00:00Z'),
  hours: 8,
  capacity,
  enrolBy: new Date('2026-04-09T01:00:00Z'),
  place: '南京市党校',
  createdBy: 'admin-1',
  createdAt: now,
});
const who = (i: number) => ({ workerId: `w${i}`, channel: 'sim', userId: `u${i}` });

describe('training sessions on the database', () => {
  it('500 workers enrolling at once in 100 seats: exactly 100 enrolled, 400 waiting, numbered in order', async () => {
    const s = await repo.create(session(100));
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, i) => repo.enrol(s, who(i), now)));
    expect(outcomes.filter((o) => o.status === 'enrolled')).toHaveLength(100);
    expect(outcomes.filter((o) => o.status === 'waiting')).toHaveLength(400);
    expect(await repo.counts(s.id)).toEqual({ enrolled: 100, offered: 0, waiting: 400 });
    const all = await repo.enrolmentsOfSession(s.id);
    // Arrival numbers never repeat, so the waiting list has one strict order.
    const seqs = all.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(500);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('enrolling twice, even at the same moment, keeps one enrolment and one seat', async () => {
    const s = await repo.create(session(2));
    const [a, b] = await Promise.all([repo.enrol(s, who(1), now), repo.enrol(s, who(1), now)]);
    expect([a.status, b.status].sort()).toEqual(['already', 'enrolled']);
    expect(await repo.counts(s.id)).toEqual({ enrolled: 1, offered: 0, waiting: 0 });
    expect((await repo.enrol(s, who(2), now)).status).toBe('enrolled');
    expect((await repo.enrol(s, who(3), now)).status).toBe('waiting');
  });

  it('a freed seat is offered to the first in line; a lapsed offer expires and the seat passes to the next', async () => {
    const s = await repo.create(session(1));
    await repo.enrol(s, who(1), now);
    await repo.enrol(s, who(2), now);
    await repo.enrol(s, who(3), now);
    expect((await repo.withdraw(s.id, 'w1'))?.state).toBe('enrolled');
    const until = new Date(now.getTime() + 24 * 3_600_000);
    const offered = await repo.freeSeat(s.id, now, until);
    expect(offered?.workerId).toBe('w2');
    expect(await repo.expireOffers(new Date(until.getTime() - 1000), 10)).toEqual([]);
    const expired = await repo.expireOffers(until, 10);
    expect(expired.map((e) => e.workerId)).toEqual(['w2']);
    // Expired once only, even when asked again.
    expect(await repo.expireOffers(until, 10)).toEqual([]);
    expect((await repo.freeSeat(s.id, until, new Date(until.getTime() + 3_600_000)))?.workerId).toBe('w3');
    // w3 takes the offered seat up by enrolling.
    expect((await repo.enrol(s, who(3), until)).status).toBe('accepted');
    expect(await repo.counts(s.id)).toEqual({ enrolled: 1, offered: 0, waiting: 0 });
  });

  it('a seat freed with nobody waiting goes back to the free seats', async () => {
    const s = await repo.create(session(1));
    await repo.enrol(s, who(1), now);
    await repo.withdraw(s.id, 'w1');
    expect(await repo.freeSeat(s.id, now, now)).toBeNull();
    expect((await repo.enrol(s, who(2), now)).status).toBe('enrolled');
  });

  it('attendance once per worker, session and day; hours credited once per session', async () => {
    const s = await repo.create(session(5));
    expect(await repo.recordAttendance(s.id, 'w1', '2026-04-10', 'checkin', now)).toBe(true);
    expect(await repo.recordAttendance(s.id, 'w1', '2026-04-10', 'checkin', now)).toBe(false);
    expect(await repo.recordAttendance(s.id, 'w1', '2026-04-11', 'checkin', now)).toBe(true);
    const credit = { workerId: 'w1', sessionId: s.id, year: 2026, hours: 8, at: now, by: 'checkin' };
    expect(await repo.credit(credit)).toBe(true);
    expect(await repo.credit(credit)).toBe(false);
    expect((await repo.credits('w1')).filter((c) => c.sessionId === s.id)).toHaveLength(1);
  });
});
