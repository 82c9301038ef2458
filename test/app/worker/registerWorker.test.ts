/** `worker.register` over the in-memory repositories, fed the answers the real registration flow collects. */
import { describe, expect, it } from 'vitest';
import { registerWorker } from '../../../src/app/worker/registerWorker.ts';
import type { AnswerValue } from '../../../src/engine/types.ts';
import { createMemoryOrganizationRepository } from '../../support/memoryOrganizationRepository.ts';
import { createMemoryWorkerRepository } from '../../support/memoryWorkerRepository.ts';
import { ID_NUMBER, registrationAt } from '../../engine/registrationPoints.ts';

const NOW = new Date('2026-03-01T02:00:00Z');
const ctx = (userId: string) => ({ channel: 'sim', userId, locale: 'zh-CN' as const, now: NOW });

/** What the flow hands the action at its summary: the real answers of a complete registration. */
async function flowAnswers(): Promise<Record<string, AnswerValue>> {
  return (await registrationAt('summary')).state.answers;
}

function setup() {
  const workers = createMemoryWorkerRepository();
  const organizations = createMemoryOrganizationRepository();
  return { workers, organizations, register: registerWorker({ workers, organizations }) };
}

describe('registering a worker', () => {
  it('stores the profile and its organisation, and links them', async () => {
    const t = setup();
    const answers = await flowAnswers();
    const r = await t.register({ answers }, ctx('u1'));
    expect(r).toEqual({ status: 'registered', workerId: expect.any(String) });
    const worker = await t.workers.findByAccount('sim', 'u1');
    expect(worker).toMatchObject({
      id: (r as { workerId: string }).workerId,
      name: '张三',
      idNumber: ID_NUMBER,
      gender: 'male',
      birthDate: '1985-03-12',
      membership: 'full',
      orgName: '某某科技有限公司',
      regionCode: '320102',
      workStart: '2018-03-01',
      registeredAt: NOW,
    });
    expect(await t.organizations.get(worker!.orgId!)).toMatchObject({ name: '某某科技有限公司', type: 'enterprise', regionCode: '320102', sizeClass: 'aboveDesignatedSize', employees: 120, uscc: null });
  });

  it('refuses a second registration of the account, and the same ID number from another account', async () => {
    const t = setup();
    const answers = await flowAnswers();
    await t.register({ answers }, ctx('u1'));
    expect(await t.register({ answers }, ctx('u1'))).toEqual({ status: 'alreadyRegistered' });
    expect(await t.register({ answers: { ...answers, name: '李四' } }, ctx('u2'))).toEqual({ status: 'duplicateId' });
    expect(await t.workers.findByAccount('sim', 'u2')).toBeNull();
  });

  it('lets one of two accounts registering the same ID number at once win', async () => {
    const t = setup();
    const answers = await flowAnswers();
    const results = await Promise.all([t.register({ answers }, ctx('a')), t.register({ answers }, ctx('b'))]);
    expect(results.map((r) => (r as { status: string }).status).sort()).toEqual(['duplicateId', 'registered']);
  });

  it('refuses answers that do not make a profile, naming the field, and stores no worker', async () => {
    const t = setup();
    const answers = await flowAnswers();
    expect(await t.register({ answers: { ...answers, joinDate: '1980-01-01' } }, ctx('u1'))).toEqual({ status: 'invalid', field: 'joinDate' });
    expect(await t.register({ answers: { ...answers, membership: 'honorary' } }, ctx('u1'))).toEqual({ status: 'invalid', field: 'membership' });
    expect(await t.register({ answers: 'nonsense' }, ctx('u1'))).toMatchObject({ status: 'invalid' });
    expect(await t.workers.findByAccount('sim', 'u1')).toBeNull();
  });
});
