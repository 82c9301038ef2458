/**
 * Materials after submitting (补充材料): the evidence flow and the resubmit flow, driven through the real flows and
 * actions over in-memory stores, on an image channel.
 */
import { describe, expect, it } from 'vitest';
import { createActions } from '../../../src/app/actions/registry.ts';
import { ARCHIVE_EVIDENCE_JOB } from '../../../src/app/certification/archiveEvidence.ts';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import { EngineHarness } from '../../support/engineHarness.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

const NANJING = adminOf('320100');

async function setup(images = true) {
  const m = memoryCertificationDeps();
  const worker = await m.worker('u1');
  await m.deps.applications.create(sampleApplication({ id: 'mine', workerId: worker.id, level: 'intermediate', evidence: ['sim-media:declared'] }));
  const actions = createActions({ workers: m.deps.workers, organizations: m.deps.organizations, regions: m.deps.regions, certification: m.deps });
  const chat = new EngineHarness(actions, undefined, { channel: 'sim', images, now: m.clock.now() });
  const photo = (ref: string) => ({ type: 'image' as const, mediaRef: ref });
  return { ...m, worker, chat, photo, admin: createAdminService(m.deps) };
}

describe('补充材料', () => {
  it('regression: the bot promised materials could be added later, but nothing took them after submitting', async () => {
    const t = await setup();
    expect(await t.chat.say('补充材料')).toContain('请选择要补充材料的申报');
    expect(await t.chat.say('1')).toContain('请发送一张证明材料的照片');
    t.clock.advance(60_000);
    t.chat.now = t.clock.now();
    expect(await t.chat.say(t.photo('sim-media:p1'))).toContain('现有 2 张材料照片');
    expect(await t.chat.say('是')).toContain('请发送一张证明材料的照片');
    t.clock.advance(60_000);
    t.chat.now = t.clock.now();
    await t.chat.say(t.photo('sim-media:p2'));
    expect(await t.chat.say('否')).toContain('材料已补充');

    const app = (await t.deps.applications.get('mine'))!;
    expect(app.evidence).toEqual(['sim-media:declared', 'sim-media:p1', 'sim-media:p2']);
    // Each photo is copied into the media store by a job of its own.
    expect(t.jobs.filter((j) => j.name === ARCHIVE_EVIDENCE_JOB).map((j) => j.data?.ref)).toEqual(['sim-media:p1', 'sim-media:p2']);
    // The worker was not pushed about what they just did in the chat.
    expect(t.pushes).toEqual([]);

    const detail = await t.admin.getApplication(NANJING, 'mine');
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.evidenceTimeline).toEqual([
      { index: 0, at: app.createdAt, came: 'declaration', stage: 'declaration', status: 'open' },
      { index: 1, at: '2026-03-01T02:01:00.000Z', came: 'added', stage: 'declaration', status: 'open' },
      { index: 2, at: '2026-03-01T02:02:00.000Z', came: 'added', stage: 'declaration', status: 'open' },
    ]);
  });

  it('refuses the same photo twice and a closed application, and says where to send photos on a text-only channel', async () => {
    const t = await setup();
    await t.chat.say('补充材料');
    await t.chat.say('1');
    expect(await t.chat.say(t.photo('sim-media:declared'))).toContain('不能补充材料');
    expect((await t.deps.applications.get('mine'))!.evidence).toEqual(['sim-media:declared']);

    await t.admin.command(NANJING, 'mine', { type: 'reject', note: '不符合条件' }, 1);
    expect(await t.chat.say('补充材料')).toContain('没有办理中的申报');

    const text = await setup(false);
    expect(await text.chat.say('补充材料')).toContain('请在微信中回复“补充材料”');
  });
});

describe('重新提交', () => {
  it('regression: the resubmit flow did not ask for what the return reason names', async () => {
    const t = await setup();
    expect((await t.admin.command(NANJING, 'mine', { type: 'return', note: '请补充任职文件' }, 1)).ok).toBe(true);
    await t.chat.say('重新提交');
    const asked = await t.chat.say('1');
    expect(asked).toContain('退回原因：请补充任职文件');
    expect(asked).toContain('请按退回原因发送补正材料的照片');
    expect(await t.chat.say(t.photo('sim-media:appointment'))).toContain('还要再发一张吗');
    expect(await t.chat.say('否')).toContain('现在重新提交吗');
    expect(await t.chat.say('是')).toContain('已重新提交');

    const app = (await t.deps.applications.get('mine'))!;
    expect(app).toMatchObject({ status: 'open', evidence: ['sim-media:declared', 'sim-media:appointment'] });
    const detail = await t.admin.getApplication(NANJING, 'mine');
    if (!detail.ok) throw new Error(detail.error.message);
    // The reviewer sees that this photo answers the return.
    expect(detail.value.evidenceTimeline[1]).toMatchObject({ came: 'added', status: 'returned' });
  });

  it('lets the worker skip the photos, and skips them by itself on a text-only channel', async () => {
    const t = await setup(false);
    await t.admin.command(NANJING, 'mine', { type: 'return', note: '请补充任职文件' }, 1);
    await t.chat.say('重新提交');
    const asked = await t.chat.say('1');
    expect(asked).toContain('可随时在微信中回复“补充材料”补充');
    expect(asked).toContain('现在重新提交吗');
    expect(await t.chat.say('是')).toContain('已重新提交');
  });
});
