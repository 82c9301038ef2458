/** `certification.declare` and `certification.levels` over in-memory stores, with the real Jiangsu policy. */
import { describe, expect, it } from 'vitest';
import { ARCHIVE_EVIDENCE_JOB } from '../../../src/app/certification/archiveEvidence.ts';
import { declareApplication } from '../../../src/app/certification/declareApplication.ts';
import { listDeclarableLevels } from '../../../src/app/certification/listDeclarableLevels.ts';
import { OpenApplicationExistsError } from '../../../src/app/ports/certification.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

const answers = (over: Record<string, unknown> = {}) => ({ stillInPost: true, level: 'intermediate', wayIn: 'self', evidence: null, ...over });

describe('declaring a level', () => {
  it('creates an application at the first stage with the declared facts, and tells the worker where it stands', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    const r = await declareApplication(m.deps)({ answers: answers({ evidence: { mediaRef: 'wechat-media:M1' } }) }, m.ctx('u1'));
    expect(r).toEqual({ status: 'created', applicationId: expect.any(String), level: '中级', stage: '个人申报' });
    const [app, ...others] = await m.deps.applications.listByWorker(worker.id);
    expect(others).toEqual([]);
    expect(app).toMatchObject({
      id: (r as { applicationId: string }).applicationId,
      workerId: worker.id,
      channel: 'sim',
      userId: 'u1',
      policyId: 'jiangsu',
      regionCode: '320102',
      level: 'intermediate',
      wayIn: 'self',
      stage: 'declaration',
      status: 'open',
      evidence: ['wechat-media:M1'],
      declared: { stillInPost: true, orgSizeClass: null, commendationLevel: null },
      createdAt: m.clock.now().toISOString(),
      version: 1,
    });
    // The photo is copied while the platform still has it.
    expect(m.jobs).toEqual([{ kind: 'now', name: ARCHIVE_EVIDENCE_JOB, key: 'wechat-media:M1#0', data: { ref: 'wechat-media:M1', attempt: 0 } }]);
  });

  it('keeps the recommending organisation of a recommended declaration', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    await declareApplication(m.deps)({ answers: answers({ wayIn: 'recommended', recommendingOrg: '南京市委组织部' }) }, m.ctx('u1'));
    expect((await m.deps.applications.listByWorker(worker.id))[0]).toMatchObject({ wayIn: 'recommended', recommendingOrg: '南京市委组织部', evidence: [] });
    expect(m.jobs).toEqual([]);
  });

  it('only checks the level with `check`, creating nothing', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    expect(await declareApplication(m.deps)({ answers: answers(), check: true }, m.ctx('u1'))).toEqual({ status: 'ok' });
    expect(await m.deps.applications.listByWorker(worker.id)).toEqual([]);
  });

  it('answers a second declaration of the same level with the first one’s stage and status', async () => {
    const m = memoryCertificationDeps();
    await m.worker('u1');
    const declare = declareApplication(m.deps);
    await declare({ answers: answers() }, m.ctx('u1'));
    expect(await declare({ answers: answers(), check: true }, m.ctx('u1'))).toEqual({ status: 'exists', level: '中级', stage: '个人申报', appStatus: '办理中' });
    expect(await declare({ answers: answers() }, m.ctx('u1'))).toEqual({ status: 'exists', level: '中级', stage: '个人申报', appStatus: '办理中' });
  });

  it('answers "exists" when another declaration of the same level wins the race between the check and the insert', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    const declare = declareApplication(m.deps);
    // Both declarations read "none yet" before either inserts: the store's one-open-per-level rule decides.
    const results = await Promise.all([declare({ answers: answers() }, m.ctx('u1')), declare({ answers: answers() }, m.ctx('u1'))]);
    expect(results.map((r) => (r as { status: string }).status).sort()).toEqual(['created', 'exists']);
    expect(await m.deps.applications.listByWorker(worker.id)).toHaveLength(1);
    await expect(m.deps.applications.create({ ...(await m.deps.applications.listByWorker(worker.id))[0]!, id: 'third' })).rejects.toBeInstanceOf(OpenApplicationExistsError);
  });

  it('refuses a level whose conditions are not met, with the reasons, and a level already held', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    const declare = declareApplication(m.deps);
    const notInPost = await declare({ answers: answers({ stillInPost: false }) }, m.ctx('u1'));
    expect(notInPost).toEqual({ status: 'notEligible', reasons: '中级需目前仍在党务工作岗位上' });
    await m.deps.certificates.issue(sampleCertificateInput({ workerId: worker.id, level: 'intermediate' }), 2026, () => '3201002026Z00001');
    expect(await declare({ answers: answers() }, m.ctx('u1'))).toMatchObject({ status: 'held' });
    expect(await m.deps.applications.listByWorker(worker.id)).toEqual([]);
  });

  it('says what is missing: no registration, no policy for the region, answers it cannot read', async () => {
    const m = memoryCertificationDeps();
    const declare = declareApplication(m.deps);
    expect(await declare({ answers: answers() }, m.ctx('nobody'))).toEqual({ status: 'notRegistered' });
    await m.worker('beijing', { region: '110105' });
    expect(await declare({ answers: answers() }, m.ctx('beijing'))).toEqual({ status: 'noPolicy' });
    await m.worker('u1');
    expect(await declare({ answers: answers({ level: 'grandmaster' }) }, m.ctx('u1'))).toEqual({ status: 'invalid' });
    expect(await declare({ answers: answers({ wayIn: 'bribe' }) }, m.ctx('u1'))).toEqual({ status: 'invalid' });
    expect(await declare({ answers: 'not an object' }, m.ctx('u1'))).toEqual({ status: 'invalid' });
  });
});

describe('the levels a worker may declare', () => {
  it('lists eligible levels first, with what the policy needs asked, and explains the others', async () => {
    const m = memoryCertificationDeps();
    await m.worker('u1', { workStart: '2022-03-01' }); // four years of party work
    const r = (await listDeclarableLevels(m.deps)({}, m.ctx('u1'))) as Record<string, unknown> & { options: { value: string; label: string }[]; text: string };
    expect(r).toMatchObject({ registered: true, policy: 'jiangsu', anyEligible: true, asks: { stillInPost: true } });
    expect(r.options.map((o) => o.label)).toEqual(['初级（可申报）', '中级（可申报）', '高级（暂不符合）', '特级（暂不符合）']);
    expect(r.text).toContain('高级');
    expect(await listDeclarableLevels(m.deps)({}, m.ctx('nobody'))).toEqual({ registered: false });
  });
});
