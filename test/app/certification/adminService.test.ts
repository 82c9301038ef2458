/**
 * The admin use cases over in-memory stores (test/support/memoryCertificationDeps.ts): the pipeline's transitions,
 * the public notice and its objections, certificate issuance, and the refusals, each audited. The same service
 * runs over MongoDB behind HTTP in test/http/adminApi.test.ts and test/e2e/certification-journey.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import { NOTICE_ENDED_JOB } from '../../../src/app/certification/deps.ts';
import { noticeEnded, noticeSweep } from '../../../src/app/certification/noticeEnded.ts';
import { MediaGoneError } from '../../../src/app/ports/media.ts';
import type { Application } from '../../../src/domain/certification/types.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps, type MemoryCertification } from '../../support/memoryCertificationDeps.ts';

const DAY = 86_400_000;
const NANJING = adminOf('320100', '南京市两新工委');
const SUZHOU = adminOf('320500', '苏州市两新工委');

function setup(photos: Parameters<typeof memoryCertificationDeps>[0] = {}) {
  const m = memoryCertificationDeps(photos);
  const service = createAdminService(m.deps);
  /** An intermediate (city-managed) application of a Xuanwu worker, stored as declared. */
  const seed = async (over: Partial<Application> = {}) => {
    const app = sampleApplication({ level: 'intermediate', createdAt: m.clock.now().toISOString(), ...over });
    await m.deps.applications.create(app);
    return app;
  };
  return { ...m, service, seed };
}

/** One admin command at the current version; the test fails with the refusal when there is one. */
async function act(t: ReturnType<typeof setup>, id: string, command: Parameters<ReturnType<typeof setup>['service']['command']>[2]): Promise<Application> {
  const current = (await t.deps.applications.get(id))!;
  const r = await t.service.command(NANJING, id, command, current.version);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.error.status} ${r.error.message}`);
  return r.value;
}

/** Declaration → public notice, as the journey test does over HTTP. */
async function toPublicNotice(t: ReturnType<typeof setup>, id: string): Promise<Application> {
  await act(t, id, { type: 'advance' });
  await act(t, id, { type: 'advance' });
  await act(t, id, { type: 'recordScore', score: 85 });
  await act(t, id, { type: 'advance' });
  await act(t, id, { type: 'recordSatisfaction', rate: 0.9 });
  return act(t, id, { type: 'advance' });
}

const texts = (m: MemoryCertification) => m.pushes.map((p) => p.text);

describe('admin transitions', () => {
  it('moves an application through the stages, tells the worker each step and schedules the end of the notice', async () => {
    const t = setup();
    const app = await t.seed();
    const inNotice = await toPublicNotice(t, app.id);
    expect(inNotice).toMatchObject({ stage: 'publicNotice', status: 'open', version: app.version + 6, noticeEndsAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() });
    expect(inNotice.history.map((e) => e.action)).toEqual(['submit', 'advance', 'advance', 'recordScore', 'advance', 'recordSatisfaction', 'advance']);
    expect(t.jobs).toEqual([{ kind: 'at', name: NOTICE_ENDED_JOB, key: app.id, when: new Date(inNotice.noticeEndsAt!), data: { applicationId: app.id } }]);
    expect(new Set(t.pushes.map((p) => `${p.channel}:${p.userId}`))).toEqual(new Set(['sim:u1']));
    expect(texts(t)).toEqual(expect.arrayContaining(['您申报的「中级」已进入下一环节：资格审查。', '您的「中级」培训测试成绩已登记：85 分。', '您的「中级」满意度测评结果已登记：满意率 90.0%。']));
    expect(await t.deps.applications.get(app.id)).toEqual(inNotice);
  });

  it('certifies when the notice ends: one certificate, its number recorded on the application with its own event', async () => {
    const t = setup();
    const app = await t.seed();
    await toPublicNotice(t, app.id);
    const job = noticeEnded(t.deps);
    await job({ applicationId: app.id });
    expect((await t.deps.applications.get(app.id))!.status).toBe('open'); // the period is not over yet

    t.clock.advance(8 * DAY);
    await job({ applicationId: app.id });
    await job({ applicationId: app.id }); // a second run of the job changes nothing
    const certified = (await t.deps.applications.get(app.id))!;
    expect(certified).toMatchObject({ status: 'certified', certificateNumber: expect.stringMatching(/^3201002026Z\d{5}$/) });
    expect(certified.history.slice(-2).map((e) => e.action)).toEqual(['certify', 'certificateIssued']);
    expect(certified.history.at(-1)).toMatchObject({ actor: { kind: 'system' }, data: { number: certified.certificateNumber } });
    expect(await t.deps.certificates.listByWorker('w1')).toEqual([
      expect.objectContaining({ number: certified.certificateNumber, applicationId: app.id, level: 'intermediate', scope: 'city', scopeRegionCode: '320100', status: 'valid', issuedOn: '2026-03-09' }),
    ]);
    expect(texts(t).at(-1)).toBe(`恭喜！您已获得「中级」党务工作者资格证书，证书编号 ${certified.certificateNumber}。回复“我的证书”查看。`);
  });

  it('finds notices whose job was lost: the sweep ends every open notice that is over, and only those', async () => {
    const t = setup();
    const a = await t.seed({ id: 'a', workerId: 'wa' });
    const b = await t.seed({ id: 'b', workerId: 'wb' });
    await toPublicNotice(t, a.id);
    t.clock.advance(2 * DAY);
    await toPublicNotice(t, b.id);
    t.clock.advance(6 * DAY); // a's notice is over, b's is not
    await noticeSweep(t.deps)();
    expect((await t.deps.applications.get('a'))!.status).toBe('certified');
    expect((await t.deps.applications.get('b'))!.status).toBe('open');
  });

  it('returns with a note the worker sees, and rejects with a reason', async () => {
    const t = setup();
    const a = await t.seed({ id: 'ret', workerId: 'w2' });
    const returned = await act(t, a.id, { type: 'return', note: '请补充任职文件' });
    expect(returned).toMatchObject({ status: 'returned', stage: 'declaration' });
    expect(texts(t).at(-1)).toContain('被退回修改，原因：请补充任职文件');
    const b = await t.seed({ id: 'rej', workerId: 'w3' });
    expect(await act(t, b.id, { type: 'reject', note: '任职年限不足' })).toMatchObject({ status: 'rejected' });
    expect(texts(t).at(-1)).toBe('很遗憾，您申报的「中级」未通过，原因：任职年限不足。');
  });

  it('saves the change even when the worker cannot be told', async () => {
    const t = setup();
    t.senderState.fail = { ok: false, permanent: true, reason: 'blocked' };
    const app = await t.seed();
    expect(await act(t, app.id, { type: 'advance' })).toMatchObject({ stage: 'qualificationReview' });
    expect(t.pushes).toEqual([]);
  });
});

describe('objections during the public notice', () => {
  it('records an objection, which holds the notice until it is dismissed; then the notice ends normally', async () => {
    const t = setup();
    const app = await t.seed();
    const inNotice = await toPublicNotice(t, app.id);
    const r = await t.service.recordObjection(NANJING, app.id, '此人已离岗', inNotice.version);
    expect(r.ok).toBe(true);
    const objected = r.ok ? r.value : inNotice;
    expect(objected.objections).toEqual([{ id: expect.any(String), at: t.clock.now().toISOString(), text: '此人已离岗', upheld: null }]);

    t.clock.advance(8 * DAY);
    await noticeEnded(t.deps)({ applicationId: app.id });
    expect((await t.deps.applications.get(app.id))!.status).toBe('open'); // an undecided objection holds it

    const objectionId = objected.objections[0]!.id;
    const decided = await t.service.command(NANJING, app.id, { type: 'decideObjection', id: objectionId, upheld: false }, objected.version);
    expect(decided.ok && decided.value.objections[0]).toMatchObject({ id: objectionId, upheld: false });
    const again = await t.service.command(NANJING, app.id, { type: 'decideObjection', id: objectionId, upheld: true }, objected.version + 1);
    expect(again).toMatchObject({ ok: false, error: { status: 422, code: 'notAllowed' } });
    await noticeEnded(t.deps)({ applicationId: app.id });
    expect((await t.deps.applications.get(app.id))!.status).toBe('certified');
  });

  it('rejects the application when an objection is upheld, with the objection as the reason', async () => {
    const t = setup();
    const app = await t.seed();
    const inNotice = await toPublicNotice(t, app.id);
    const objected = await t.service.recordObjection(NANJING, app.id, '材料不实', inNotice.version);
    if (!objected.ok) throw new Error(objected.error.message);
    const r = await t.service.command(NANJING, app.id, { type: 'decideObjection', id: objected.value.objections[0]!.id, upheld: true }, objected.value.version);
    expect(r).toMatchObject({ ok: true, value: { status: 'rejected', objections: [{ upheld: true }] } });
    expect(texts(t).at(-1)).toBe('很遗憾，您申报的「中级」未通过，原因：材料不实。');
    expect(t.jobs.filter((j) => j.name === NOTICE_ENDED_JOB)).toHaveLength(1);
    t.clock.advance(8 * DAY);
    await noticeEnded(t.deps)({ applicationId: app.id });
    expect((await t.deps.applications.get(app.id))!.status).toBe('rejected');
    expect(await t.deps.certificates.listByWorker('w1')).toEqual([]);
  });

  it('refuses an objection outside the public notice and a decision on an unknown objection, changing nothing', async () => {
    const t = setup();
    const app = await t.seed();
    expect(await t.service.recordObjection(NANJING, app.id, '有异议', app.version)).toMatchObject({ ok: false, error: { status: 422, code: 'wrongStage' } });
    const inNotice = await toPublicNotice(t, app.id);
    expect(await t.service.command(NANJING, app.id, { type: 'decideObjection', id: 'nope', upheld: true }, inNotice.version)).toMatchObject({ ok: false, error: { status: 400, code: 'invalid' } });
    expect(await t.deps.applications.get(app.id)).toEqual(inNotice);
  });
});

describe('refusals change nothing and are audited', () => {
  it('refuses another city (403), a stale version (409), a wrong stage (422) and an unknown id (404)', async () => {
    const t = setup();
    const app = await t.seed();
    expect(await t.service.command(SUZHOU, app.id, { type: 'advance' }, app.version)).toMatchObject({ ok: false, error: { status: 403, code: 'outOfScope' } });
    expect(await t.service.command(NANJING, app.id, { type: 'advance' }, app.version + 1)).toMatchObject({ ok: false, error: { status: 409, code: 'conflict' } });
    expect(await t.service.command(NANJING, app.id, { type: 'recordScore', score: 80 }, app.version)).toMatchObject({ ok: false, error: { status: 422 } });
    expect(await t.service.command(NANJING, 'nope', { type: 'advance' }, 1)).toMatchObject({ ok: false, error: { status: 404 } });
    expect(await t.deps.applications.get(app.id)).toEqual(app);
    expect(t.pushes).toEqual([]);

    const trail = async (admin: typeof NANJING) => ((await t.service.audit(admin, { limit: 50 })) as { ok: true; value: { action: string; target: string; outcome: string }[] }).value;
    expect((await trail(SUZHOU)).map((e) => [e.action, e.target, e.outcome])).toEqual([['advance', `application:${app.id}`, 'refused']]);
    expect((await trail(NANJING)).map((e) => e.outcome)).toEqual(['invalid', 'invalid', 'conflict']);
  });

  it('refuses a county admin acting on a level the city manages, naming the managing committee', async () => {
    const t = setup();
    const app = await t.seed();
    const r = await t.service.command(adminOf('320102'), app.id, { type: 'advance' }, app.version);
    expect(r).toMatchObject({ ok: false, error: { status: 403, code: 'notManagingTier', message: '中级 applications are managed by the city (320100) committee; a county admin may read but not act on them' } });
    expect(await t.service.getApplication(adminOf('320102'), app.id)).toEqual({ ok: true, value: { ...app, evidenceTimeline: [] } });
  });

  it('gives one of two admins acting on the same version the change and the other a conflict', async () => {
    const t = setup();
    const app = await t.seed();
    const results = await Promise.all([t.service.command(NANJING, app.id, { type: 'advance' }, app.version), t.service.command(NANJING, app.id, { type: 'reject', note: '不符合' }, app.version)]);
    expect(results.map((r) => (r.ok ? 200 : r.error.status)).sort()).toEqual([200, 409]);
    expect((await t.deps.applications.get(app.id))!.version).toBe(app.version + 1);
  });
});

describe('admin reads', () => {
  it('lists the applications of the admin region newest first, and refuses a region or level outside it', async () => {
    const t = setup();
    await t.seed({ id: 'old', workerId: 'wo' });
    t.clock.advance(60_000);
    await t.seed({ id: 'new', workerId: 'wn' });
    await t.seed({ id: 'suzhou', workerId: 'ws', regionCode: '320505' });
    const page = await t.service.listApplications(NANJING, { limit: 1 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.items.map((a) => a.id)).toEqual(['new']);
    const rest = await t.service.listApplications(NANJING, { limit: 10, cursor: page.value.next! });
    expect(rest.ok && rest.value.items.map((a) => a.id)).toEqual(['old']);
    expect(await t.service.listApplications(NANJING, { limit: 10, region: '3205' })).toMatchObject({ ok: false, error: { status: 403 } });
    expect(await t.service.listApplications(adminOf('320100', '初级', ['junior']), { limit: 10, level: 'senior' })).toMatchObject({ ok: false, error: { status: 403 } });
    expect(await t.service.listApplications(NANJING, { limit: 10, cursor: 'bm90LWEtY3Vyc29y' })).toMatchObject({ ok: false, error: { status: 400, code: 'invalidCursor' } });
  });

  it('shows an evidence photo from the kept copy, fetching it once from the platform; a gone photo is 404, a failing platform 502', async () => {
    const jpeg = { contentType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]) };
    const t = setup({ photos: { 'wechat-media:ok': jpeg } });
    const app = await t.seed({ evidence: ['wechat-media:ok', 'wechat-media:flaky'] });
    for (let i = 0; i < 2; i++) {
      const r = await t.service.evidence(NANJING, app.id, 0);
      expect(r).toMatchObject({ ok: true, value: { ref: 'wechat-media:ok', contentType: 'image/jpeg', size: 6 } });
    }
    expect(t.platform.fetched).toEqual(['wechat-media:ok']);
    expect(await t.service.evidence(NANJING, app.id, 1)).toMatchObject({ ok: false, error: { status: 502, code: 'mediaUnavailable' } });
    expect(await t.service.evidence(NANJING, app.id, 2)).toMatchObject({ ok: false, error: { status: 404, code: 'notFound' } });
    t.deps.mediaSource = { fetch: async () => Promise.reject(new MediaGoneError('40007 invalid media_id')) };
    expect(await t.service.evidence(NANJING, app.id, 1)).toMatchObject({ ok: false, error: { status: 404, code: 'mediaGone' } });
    expect(await t.service.evidence(SUZHOU, app.id, 0)).toMatchObject({ ok: false, error: { status: 403 } });
    const viewed = await t.service.audit(NANJING, { target: `application:${app.id}`, limit: 10 });
    expect(viewed.ok && viewed.value.map((e) => [e.action, e.outcome])).toEqual([
      ['viewEvidence', 'invalid'],
      ['viewEvidence', 'invalid'],
      ['viewEvidence', 'invalid'],
      ['viewEvidence', 'done'],
      ['viewEvidence', 'done'],
    ]);
  });
});
