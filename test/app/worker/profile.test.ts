/** `worker.profile` and `worker.update` ("我的信息") over the in-memory repository. */
import { describe, expect, it } from 'vitest';
import { updateProfile } from '../../../src/app/worker/updateProfile.ts';
import { viewProfile } from '../../../src/app/worker/viewProfile.ts';
import { content, makeIdNumber } from '../../support/engineHarness.ts';
import { createMemoryWorkerRepository } from '../../support/memoryWorkerRepository.ts';
import { sampleProfile } from '../../support/registrationScript.ts';

const REGISTERED = new Date('2026-03-01T02:00:00Z');
const LATER = new Date('2026-04-01T02:00:00Z');
const ID = makeIdNumber('320102', '19850312', '123');
const ctx = (userId = 'u1', now = LATER) => ({ channel: 'sim', userId, locale: 'zh-CN' as const, now });

async function setup() {
  const workers = createMemoryWorkerRepository();
  await workers.create('sim', 'u1', sampleProfile(ID), REGISTERED);
  return { workers, view: viewProfile({ workers, regions: content().regions }), update: updateProfile({ workers }) };
}

describe('viewing the profile', () => {
  it('shows the profile with the ID number masked and the region by name', async () => {
    const t = await setup();
    const view = await t.view({}, ctx());
    expect(view).toMatchObject({ registered: true, name: '张三', mobile: '13812345678', idMasked: `320***********${ID.slice(-4)}`, regionName: '江苏省 / 南京市 / 玄武区', registeredOn: '2026-03-01' });
    expect(JSON.stringify(view)).not.toContain(ID);
    expect(await t.view({}, ctx('nobody'))).toEqual({ registered: false });
  });
});

describe('changing one field', () => {
  it('changes the picked field and nothing else', async () => {
    const t = await setup();
    const before = (await t.workers.findByAccount('sim', 'u1'))!;
    expect(await t.update({ answers: { pick: 'mobile', mobile: '13900001111' } }, ctx())).toEqual({ status: 'updated', field: 'mobile' });
    expect(await t.update({ answers: { pick: 'region', region: '320105' } }, ctx())).toEqual({ status: 'updated', field: 'region' });
    expect(await t.workers.findByAccount('sim', 'u1')).toEqual({ ...before, mobile: '13900001111', regionCode: '320105', updatedAt: LATER });
  });

  it('refuses the ID number, a malformed value and dates before birth, changing nothing', async () => {
    const t = await setup();
    const before = await t.workers.findByAccount('sim', 'u1');
    expect(await t.update({ answers: { pick: 'idNumber', idNumber: makeIdNumber('320102', '19900101', '111') } }, ctx())).toEqual({ status: 'invalid', field: 'idNumber' });
    expect(await t.update({ answers: { pick: 'mobile', mobile: '12345' } }, ctx())).toEqual({ status: 'invalid', field: 'mobile' });
    expect(await t.update({ answers: { pick: 'workStart', workStart: '1980-01-01' } }, ctx())).toEqual({ status: 'invalid', field: 'workStart' });
    expect(await t.workers.findByAccount('sim', 'u1')).toEqual(before);
  });

  it('says so when the user is not registered', async () => {
    const t = await setup();
    expect(await t.update({ answers: { pick: 'mobile', mobile: '13900001111' } }, ctx('nobody'))).toEqual({ status: 'notRegistered' });
  });
});
