/** The worker's own commands in chat (撤回, 重新提交) over in-memory stores. */
import { describe, expect, it } from 'vitest';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import { myApplications, workerCommand } from '../../../src/app/certification/workerCommands.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

async function setup() {
  const m = memoryCertificationDeps();
  const worker = await m.worker('u1');
  const other = await m.worker('u2');
  const app = sampleApplication({ id: 'mine', workerId: worker.id, level: 'intermediate' });
  await m.deps.applications.create(app);
  await m.deps.applications.create(sampleApplication({ id: 'theirs', workerId: other.id, userId: 'u2' }));
  return { ...m, worker, app };
}

describe('withdrawing and resubmitting in chat', () => {
  it('offers the open applications, with the reviewer’s note on a returned one, and resubmits it', async () => {
    const t = await setup();
    expect(await myApplications(t.deps)({}, t.ctx('u1'))).toEqual({ registered: true, count: 1, options: [{ value: 'mine', name: '中级', label: '中级（个人申报）' }] });
    expect(await myApplications(t.deps)({ status: 'returned' }, t.ctx('u1'))).toEqual({ registered: true, count: 0, options: [] });
    const returned = await createAdminService(t.deps).command(adminOf('320100'), 'mine', { type: 'return', note: '请补充任职文件' }, 1);
    expect(returned.ok).toBe(true);
    expect(await myApplications(t.deps)({ status: 'returned' }, t.ctx('u1'))).toMatchObject({ count: 1, options: [{ value: 'mine', label: '中级（个人申报）：请补充任职文件' }] });

    expect(await workerCommand(t.deps, 'resubmit')({ applicationId: 'mine' }, t.ctx('u1'))).toEqual({ status: 'done' });
    expect(await t.deps.applications.get('mine')).toMatchObject({ status: 'open', stage: 'declaration', version: 3 });
    expect(t.pushes.at(-1)?.text).toBe('您申报的「中级」已重新提交，当前环节：个人申报。');
  });

  it('withdraws the worker’s own application, and only theirs', async () => {
    const t = await setup();
    const withdraw = workerCommand(t.deps, 'withdraw');
    expect(await withdraw({ applicationId: 'theirs' }, t.ctx('u1'))).toEqual({ status: 'refused', reason: 'notYours' });
    expect((await t.deps.applications.get('theirs'))!.status).toBe('open');
    expect(await withdraw({ applicationId: 'mine' }, t.ctx('u1'))).toEqual({ status: 'done' });
    expect((await t.deps.applications.get('mine'))!.status).toBe('withdrawn');
    expect(await withdraw({ applicationId: 'mine' }, t.ctx('u1'))).toMatchObject({ status: 'refused' });
    expect(await withdraw({ applicationId: 'nope' }, t.ctx('u1'))).toEqual({ status: 'refused', reason: 'notFound' });
    expect(await withdraw({ applicationId: 42 }, t.ctx('u1'))).toEqual({ status: 'invalid' });
    expect(await withdraw({ applicationId: 'mine' }, t.ctx('nobody'))).toEqual({ status: 'notRegistered' });
  });
});
