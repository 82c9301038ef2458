/**
 * The admin API routes over HTTP, through the real app and database: what each route answers, the public notice's
 * objections decided over `…/objections/:objectionId/decision`, the evidence photo, and bad input refused with a
 * specific 400 that changes nothing. Admins are of the tier that manages the level (Nanjing city for 中级).
 * The journey through every stage is test/e2e/certification-journey.test.ts; tier refusals test/http/adminTiers.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/certification/types.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';

const DAY = 86_400_000;
let r: AdminApiApp;
let nanjing: string;
let juniorOnly: string;

beforeAll(async () => {
  r = await startAdminApiApp('admin_api');
  nanjing = await r.token('南京市两新工委', '320100');
  juniorOnly = await r.token('南京市两新工委（初级）', '320100', ['junior']);
});
afterAll(() => r?.stop());

/** An intermediate application in its public notice (started now, ending in 7 days), with one open objection. */
function inNotice(over: Partial<Application> = {}): Promise<Application> {
  const now = r.clock.now();
  return r.seed({
    level: 'intermediate',
    stage: 'publicNotice',
    testScore: 85,
    satisfaction: 0.9,
    noticeStartedAt: now.toISOString(),
    noticeEndsAt: new Date(now.getTime() + 7 * DAY).toISOString(),
    objections: [{ id: 'obj1', at: now.toISOString(), text: '此人已离岗', upheld: null }],
    ...over,
  });
}

/** The stored application as the detail route shows it, without the evidence timeline derived from it. */
const get = async (id: string) => {
  const { evidenceTimeline: _timeline, ...app } = (await r.api('GET', `/applications/${id}`, nanjing)).body as Application & { evidenceTimeline: unknown };
  return app as Application;
};
const decide = (app: Application, objectionId: string, body: Record<string, unknown>, token = nanjing) =>
  r.api('POST', `/applications/${app.id}/objections/${objectionId}/decision`, token, body);

describe('GET /admin/api/me', () => {
  it('answers the calling admin, without the token or its hash', async () => {
    const res = await r.api('GET', '/me', juniorOnly);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: '南京市两新工委（初级）', regionCode: '320100', levels: ['junior'], createdAt: r.clock.now().toISOString(), disabled: false });
    expect(res.raw).not.toContain(juniorOnly.split('_').at(-1));
  });
});

describe('POST /admin/api/applications/:id/objections/:objectionId/decision', () => {
  it('regression: the note of an objection decision was dropped (dismissed: the application stays in its notice, decision in history and audit)', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: false, note: '经核实仍在岗', expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'open', stage: 'publicNotice', version: app.version + 1, objections: [{ id: 'obj1', upheld: false, decidedAt: r.clock.now().toISOString() }] });
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', note: '经核实仍在岗', data: { objectionId: 'obj1', upheld: false } });
    expect(await get(app.id)).toEqual(res.body);
    const audit = await r.api('GET', `/audit?target=application:${app.id}`, nanjing);
    expect(audit.body).toEqual([expect.objectContaining({ action: 'decideObjection', outcome: 'done', detail: expect.objectContaining({ id: 'obj1', upheld: false, note: '经核实仍在岗', expectedVersion: app.version }) })]);
  });

  it('gives the worker the admin’s note as the reason when an upheld objection rejects the application', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: true, note: '经核实已离岗', expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', toStatus: 'rejected', note: '经核实已离岗' });
  });

  it('rejects the application when the objection is upheld, the objection being the reason the worker sees', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: true, expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', objections: [{ id: 'obj1', upheld: true }] });
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', toStatus: 'rejected', note: '此人已离岗' });
    const again = await decide(app, 'obj1', { upheld: false, expectedVersion: app.version + 1 });
    expect(again.status).toBe(422);
    expect(again.body.error).toMatch(/rejected/);
  });

  it('records an objection over HTTP (201) and decides the one it created', async () => {
    const app = await inNotice({ objections: [] });
    const created = await r.api('POST', `/applications/${app.id}/objections`, nanjing, { text: '材料存疑', expectedVersion: app.version });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const objection = (created.body as Application).objections[0]!;
    expect(objection).toMatchObject({ text: '材料存疑', upheld: null });
    const res = await decide(app, objection.id, { upheld: false, expectedVersion: created.body.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.objections).toEqual([expect.objectContaining({ id: objection.id, upheld: false })]);
  });

  it.each([
    ['an unknown objection', 'nope', { upheld: true }, 400, /has no objection "nope"/],
    ['a malformed objection id', 'a%20b', { upheld: true }, 400, /ids are 1-64 letters/],
    ['upheld that is not a boolean', 'obj1', { upheld: 'yes' }, 400, /^upheld: /],
    ['a missing expectedVersion', 'obj1', { upheld: true, expectedVersion: undefined }, 400, /expectedVersion must be the version you read/],
    ['an unknown field', 'obj1', { upheld: true, by: 'me' }, 400, /by/],
    ['a stale version', 'obj1', { upheld: true, expectedVersion: 99 }, 409, /version/],
  ])('refuses %s, changing nothing', async (_name, objectionId, body, status, message) => {
    const app = await inNotice();
    const res = await decide(app, objectionId, { expectedVersion: app.version, ...body });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(await get(app.id)).toEqual(app);
  });

  it('refuses a decision outside the public notice (422) and from an admin outside the level (403)', async () => {
    const review = await inNotice({ stage: 'qualificationReview', noticeStartedAt: null, noticeEndsAt: null });
    const wrongStage = await decide(review, 'obj1', { upheld: false, expectedVersion: review.version });
    expect(wrongStage.status).toBe(422);
    expect(wrongStage.body.error).toMatch(/objections are decided during the public notice/);
    const app = await inNotice();
    expect((await decide(app, 'obj1', { upheld: false, expectedVersion: app.version }, juniorOnly)).status).toBe(403);
    expect(await get(app.id)).toEqual(app);
  });
});

describe('GET /admin/api/applications/:id/evidence/:index', () => {
  it('serves a kept photo as itself, never cached, with its hash; refuses a photo that does not exist', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6]);
    await r.media.put({ ref: 'wechat-media:kept1', contentType: 'image/jpeg', bytes, storedAt: r.clock.now().toISOString() });
    const app = await r.seed({ level: 'intermediate', evidence: ['wechat-media:kept1'] });
    // The detail lists each photo with when it came (the declaration's come with the submission).
    const detail = await r.api('GET', `/applications/${app.id}`, nanjing);
    expect((detail.body as { evidenceTimeline: unknown }).evidenceTimeline).toEqual([{ index: 0, at: app.history[0]!.at, came: 'declaration', stage: app.stage, status: 'open' }]);
    const res = await r.api('GET', `/applications/${app.id}/evidence/0`, nanjing);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-evidence-sha256')).toBe((await r.media.get('wechat-media:kept1'))!.sha256);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);

    const missing = await r.api('GET', `/applications/${app.id}/evidence/1`, nanjing);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe(`application ${app.id} has 1 evidence photo(s); there is no photo 1`);
    // No channel that could fetch it is configured in the test app: gone for good, not a platform hiccup.
    const unkept = await r.seed({ level: 'intermediate', evidence: ['wechat-media:never-kept'] });
    expect((await r.api('GET', `/applications/${unkept.id}/evidence/0`, nanjing)).status).toBe(404);
    const bad = await r.api('GET', `/applications/${app.id}/evidence/first`, nanjing);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('the photo index is a number, 0 for the first');
    expect((await r.api('GET', `/applications/${app.id}/evidence/0`, juniorOnly)).status).toBe(403);
  });
});

describe('bad input to the other routes', () => {
  it.each([
    ['a list limit of 0', 'GET', '/applications?limit=0', undefined, /limit/],
    ['an unknown list filter', 'GET', '/applications?owner=me', undefined, /owner/],
    ['a region that is not a code', 'GET', '/applications?region=Nanjing', undefined, /region is a region code or prefix/],
    ['an unknown status', 'GET', '/applications?status=lost', undefined, /status/],
    ['a report without a year', 'GET', '/reports/allowance', undefined, /year/],
    ['a report in xml', 'GET', '/reports/allowance?year=2026&format=xml', undefined, /format/],
    ['an audit limit over 200', 'GET', '/audit?limit=500', undefined, /limit/],
    ['a satisfaction rate in percent', 'POST', '/applications/x1/satisfaction', { rate: 85, expectedVersion: 1 }, /rate is a fraction 0-1/],
    ['an inspection in the year 1900', 'POST', '/certificates/C1/inspections', { year: 1900, passed: true }, /year/],
    ['an unknown assessment grade', 'POST', '/certificates/C1/assessments', { year: 2026, grade: 'superb' }, /grade/],
  ])('answers 400 for %s', async (_name, method, path, body, message) => {
    const res = await r.api(method, path, nanjing, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });

  it('answers 400 for a body that is not JSON, and 401 without a token, before anything runs', async () => {
    const app = await inNotice();
    const notJson = await r.api('POST', `/applications/${app.id}/objections/obj1/decision`, nanjing, undefined, { rawBody: '{"upheld": tru' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('request body is not valid JSON');
    const anonymous = await r.api('POST', `/applications/${app.id}/objections/obj1/decision`, '', { upheld: true, expectedVersion: app.version });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="redcollar-admin"');
    expect(await get(app.id)).toEqual(app);
  });

  it('lists the admin region’s applications filtered by stage and status, with a cursor to the next page', async () => {
    const a = await inNotice();
    const b = await inNotice();
    const first = await r.api('GET', '/applications?stage=publicNotice&status=open&limit=1', nanjing);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ stage: 'publicNotice', status: 'open' });
    const second = await r.api('GET', `/applications?stage=publicNotice&status=open&limit=100&cursor=${first.body.next}`, nanjing);
    const ids = [first.body.items[0].id, ...second.body.items.map((x: Application) => x.id)];
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
