/**
 * Hours credited change eligibility, through the app: attendance credits the session's 学时 to the ledger on the
 * database, and the eligibility facts the declaration and the review use (workerFacts) read that ledger, so a level
 * that requires hours opens once enough are credited.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerFacts } from '../../../src/app/certification/workerFacts.ts';
import type { WorkerRecord } from '../../../src/app/ports/workerRepository.ts';
import type { TrainingDeps } from '../../../src/app/training/deps.ts';
import { creditAttendance } from '../../../src/app/training/attendance.ts';
import { evaluateEligibility } from '../../../src/domain/eligibility/eligibility.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoTrainingRepository } from '../../../src/store/mongo/trainingRepository.ts';
import { testDbUri } from '../../support/db.ts';
import { content } from '../../support/engineHarness.ts';
import { TestClock } from '../../support/testClock.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('hours_eligibility'));
  createMongoTrainingRepository(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

const jiangsu = content().policies.get('jiangsu')!;
// No shipped policy sets minTrainingHours yet: a region that requires 16 学时 a year for every level.
const withHours = { ...jiangsu, levels: jiangsu.levels.map((l) => ({ ...l, conditions: { ...l.conditions, minTrainingHours: 16 } })) };
const worker = { id: 'w-hours', orgId: null, birthDate: '1980-06-15', gender: 'male', membership: 'full', education: 'college', professionalTitle: 'none', workStart: '2015-01-01', role: 'staff', regionCode: '320102' } as unknown as WorkerRecord;

describe('hours credited change eligibility (the ledger on the database)', () => {
  it('one 8-学时 session leaves junior short by 8; a second credited session opens it; a second check-in the same day credits nothing', async () => {
    const clock = new TestClock(new Date('2026-03-10T02:00:00Z'));
    const training = createMongoTrainingRepository(connection);
    const deps = { training, clock, reminders: { cancelFor: async () => 0 } } as unknown as TrainingDeps;
    const factDeps = { training, clock, certificates: { listByWorker: async () => [] }, organizations: { get: async () => null } } as unknown as TrainingDeps;
    const session = (id: string) => ({ id, hours: 8 }) as Parameters<typeof creditAttendance>[1];
    const junior = async () => evaluateEligibility(withHours, await workerFacts(factDeps, worker, {}), '2026-03-10').find((r) => r.level === 'junior')!;

    expect((await junior()).conditions.find((c) => c.condition === 'minTrainingHours')).toMatchObject({ status: 'unmet', required: 16, actual: 0 });
    expect(await creditAttendance(deps, session('s-a'), worker.id, 'checkin')).toEqual({ recorded: true, credited: true });
    expect(await creditAttendance(deps, session('s-a'), worker.id, 'checkin')).toEqual({ recorded: false, credited: false });
    const short = await junior();
    expect(short.eligible).toBe(false);
    expect(short.conditions.find((c) => c.condition === 'minTrainingHours')).toMatchObject({ status: 'unmet', actual: 8, gap: 8 });

    clock.advance(86_400_000);
    await creditAttendance(deps, session('s-b'), worker.id, 'admin-1');
    const enough = await junior();
    expect(enough.conditions.find((c) => c.condition === 'minTrainingHours')).toMatchObject({ status: 'met', actual: 16 });
  });
});
