import { describe, expect, it } from 'vitest';
import type { WorkerRepository } from '../../src/app/ports/workerRepository.ts';
import type { WorkerProfile } from '../../src/domain/worker/profile.ts';

export const sampleProfile = (idNumber = '320102198503121234', mobile = '13812345678'): WorkerProfile => ({
  name: '张三',
  mobile,
  idNumber,
  gender: 'male',
  birthDate: '1985-03-12',
  membership: 'full',
  joinDate: '2010-07-01',
  orgName: '某某科技有限公司',
  orgType: 'enterprise',
  role: 'secretary',
  regionCode: '320102',
  workStart: '2018-03-01',
  education: 'bachelor',
  professionalTitle: 'none',
});

/** The WorkerRepository port's contract; every implementation runs it (Mongo and the in-memory test double). */
export function workerRepositoryContract(name: string, make: () => Promise<WorkerRepository>): void {
  describe(`WorkerRepository contract: ${name}`, () => {
    const now = new Date('2026-03-01T02:00:00Z');

    it('creates a worker and finds it by account and by ID number, with the same data back', async () => {
      const repo = await make();
      const created = await repo.create('sim', 'u1', sampleProfile(), now);
      expect(created.status).toBe('created');
      const byAccount = await repo.findByAccount('sim', 'u1');
      expect(byAccount).toMatchObject({ ...sampleProfile(), channel: 'sim', userId: 'u1' });
      expect(byAccount?.registeredAt.toISOString()).toBe(now.toISOString());
      expect((await repo.findByIdNumber('320102198503121234'))?.userId).toBe('u1');
      if (created.status !== 'created') throw new Error('expected created');
      expect((await repo.findById(created.worker.id))?.userId).toBe('u1');
      expect(await repo.findById('ffffffffffffffffffffffff')).toBeNull();
      expect(await repo.findByAccount('sim', 'nobody')).toBeNull();
    });

    it('reads the summaries of a page of workers at once, leaving unknown ids out', async () => {
      const repo = await make();
      const a = await repo.create('sim', 'u1', sampleProfile(), now, 'org1');
      const b = await repo.create('sim', 'u2', { ...sampleProfile('320102198503121250', '13912345678'), name: '李四', orgName: '某某协会' }, now);
      if (a.status !== 'created' || b.status !== 'created') throw new Error('expected created');
      const found = await repo.summaries([b.worker.id, a.worker.id, 'ffffffffffffffffffffffff', 'not-an-id', a.worker.id]);
      expect([...found].sort((x, y) => x.name.localeCompare(y.name))).toEqual(
        [
          { id: a.worker.id, name: '张三', orgName: '某某科技有限公司', orgId: 'org1' },
          { id: b.worker.id, name: '李四', orgName: '某某协会', orgId: null },
        ].sort((x, y) => x.name.localeCompare(y.name)),
      );
      expect(await repo.summaries([])).toEqual([]);
    });

    it('finds the ids of the workers of exactly one name, at most the limit asked', async () => {
      const repo = await make();
      const ids: string[] = [];
      for (const [i, name] of ['张三', '张三', '张三丰', '李四'].entries()) {
        const r = await repo.create('sim', `n${i}`, { ...sampleProfile(`32010219850312${1300 + i}`, `1391234${5670 + i}`), name }, now);
        if (r.status !== 'created') throw new Error('expected created');
        ids.push(r.worker.id);
      }
      expect([...(await repo.idsNamed('张三', 10))].sort()).toEqual([ids[0], ids[1]].sort());
      expect(await repo.idsNamed('张三', 1)).toHaveLength(1);
      expect(await repo.idsNamed('张', 10)).toEqual([]);
      expect(await repo.idsNamed('王五', 10)).toEqual([]);
    });

    it('refuses the same ID number from another account (duplicateId) and a second profile for one account', async () => {
      const repo = await make();
      await repo.create('sim', 'u1', sampleProfile(), now);
      expect((await repo.create('sim', 'u2', sampleProfile(), now)).status).toBe('duplicateId');
      expect((await repo.create('sim', 'u1', sampleProfile('11010519491231002X'), now)).status).toBe('alreadyRegistered');
      expect(await repo.findByAccount('sim', 'u2')).toBeNull();
    });

    it('lets only one of many concurrent registrations with one ID number win', async () => {
      const repo = await make();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.create('sim', `racer${i}`, sampleProfile(), now)));
      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'duplicateId')).toHaveLength(9);
    });

    it('updates editable fields, including the mobile number', async () => {
      const repo = await make();
      await repo.create('sim', 'u1', sampleProfile(), now);
      const later = new Date(now.getTime() + 1000);
      const updated = await repo.update('sim', 'u1', { mobile: '13900001111', orgName: '新单位' }, later);
      expect(updated).toMatchObject({ mobile: '13900001111', orgName: '新单位', idNumber: '320102198503121234' });
      expect((await repo.findByAccount('sim', 'u1'))?.updatedAt.toISOString()).toBe(later.toISOString());
      expect(await repo.update('sim', 'nobody', { orgName: 'x' }, later)).toBeNull();
    });

    it('keeps the language the worker chose, found by account and by id; an unknown account is a no-op', async () => {
      const repo = await make();
      const created = await repo.create('sim', 'u1', sampleProfile(), now);
      if (created.status !== 'created') throw new Error('expected created');
      expect((await repo.findById(created.worker.id))?.locale).toBeUndefined();
      await repo.setLocale('sim', 'u1', 'en');
      expect((await repo.findById(created.worker.id))?.locale).toBe('en');
      expect((await repo.findByAccount('sim', 'u1'))?.locale).toBe('en');
      await repo.setLocale('sim', 'nobody', 'en');
      expect(await repo.findByAccount('sim', 'nobody')).toBeNull();
    });

    it('records the language given at creation with the profile', async () => {
      const repo = await make();
      const created = await repo.create('sim', 'u2', { ...sampleProfile(), idNumber: '11010519491231002X' }, now, null, 'en');
      if (created.status !== 'created') throw new Error(`expected created, got ${created.status}`);
      expect(created.worker.locale).toBe('en');
      expect((await repo.findByAccount('sim', 'u2'))?.locale).toBe('en');
    });
  });
}
