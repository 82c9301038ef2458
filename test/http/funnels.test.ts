/**
 * Per-step funnels end to end: scripted registrations typed into the simulator (one complete with a refused mobile
 * number, one cancelled, one left past the session timeout) are counted by the inbound pipeline, and
 * GET /admin/api/funnels answers exactly what the script did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { content, makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';

let r: AdminApiApp;
let token: string;

beforeAll(async () => {
  r = await startAdminApiApp('funnels');
  token = await r.token('南京市两新工委', '320100');
});
afterAll(() => r?.stop());

async function say(userId: string, text: string): Promise<string> {
  const res = await fetch(`${r.app.url}/sim/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, text }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((m) => m.text).join('\n');
}

type Counts = { reached: number; answered: number; retries: number; gaveUp: number; timedOut: number };

describe('GET /admin/api/funnels', () => {
  it('counts per step what a scripted set of registrations did: reached, answered, retries, gave up, timed out', async () => {
    const expected = new Map<string, Counts>();
    const add = (stepId: string, field: keyof Counts) => {
      const c = expected.get(stepId) ?? { reached: 0, answered: 0, retries: 0, gaveUp: 0, timedOut: 0 };
      c[field] += 1;
      expected.set(stepId, c);
    };
    const flow = content().flows.current('registration');
    const summary = flow.steps.find((s) => s.kind === 'summary')!.id;

    // A: the whole registration, one wrong mobile number on the way, confirmed at the summary.
    const a = registrationAnswers(makeIdNumber('320102', '19850312', '301'));
    await say('fa', '注册');
    let at: string | null = null;
    for (const [stepId, text] of a) {
      if (stepId !== at) add(stepId, 'reached');
      if (stepId === 'mobile' && at !== 'mobile') {
        await say('fa', '12345');
        add('mobile', 'retries');
      }
      await say('fa', text);
      at = stepId;
      // The region is typed level by level: the step is answered with its last message.
      const last = a.filter(([id]) => id === stepId).at(-1);
      if (last?.[1] === text) add(stepId, 'answered');
    }
    add(summary, 'reached');
    expect(await say('fa', '确认')).toContain('注册成功');
    add(summary, 'answered');

    // B: two answers, then 取消 at the third question.
    const b = registrationAnswers(makeIdNumber('320102', '19850312', '302'));
    await say('fb', '注册');
    for (const [stepId, text] of b.slice(0, 2)) {
      add(stepId, 'reached');
      await say('fb', text);
      add(stepId, 'answered');
    }
    add(b[2]![0], 'reached');
    await say('fb', '取消');
    add(b[2]![0], 'gaveUp');

    // C: the name, then silence past the session timeout at the mobile question; the number typed then is taken.
    const c = registrationAnswers(makeIdNumber('320102', '19850312', '303'));
    await say('fc', '注册');
    add(c[0]![0], 'reached');
    await say('fc', c[0]![1]);
    add(c[0]![0], 'answered');
    add('mobile', 'reached');
    r.clock.advance(31 * 60_000);
    await say('fc', '13812345678');
    add('mobile', 'timedOut');
    add('mobile', 'answered');
    add(c[2]![0], 'reached');

    const day = new Date(r.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const res = await r.api('GET', `/funnels?flow=registration&from=${day}&to=${day}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ flow: 'registration', version: flow.version, from: day, to: day });
    expect(res.body.flows).toContainEqual(expect.objectContaining({ id: 'registration', versions: expect.arrayContaining([flow.version]) }));
    const got = new Map<string, Counts>(
      (res.body.steps as (Counts & { stepId: string })[])
        .filter((s) => s.reached + s.answered + s.retries + s.gaveUp + s.timedOut > 0)
        .map(({ stepId, reached, answered, retries, gaveUp, timedOut }) => [stepId, { reached, answered, retries, gaveUp, timedOut }]),
    );
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    // Steps come in the flow's order, each with its label; the mobile step has a median time.
    const steps = res.body.steps as { stepId: string; label: string; medianMs: number | null }[];
    expect(steps[0]!.stepId).toBe(a[0]![0]);
    expect(steps.find((s) => s.stepId === 'mobile')).toMatchObject({ label: expect.any(String), medianMs: expect.any(Number) });

    // Another day has nothing.
    const empty = await r.api('GET', '/funnels?flow=registration&from=2020-01-01&to=2020-01-02', token);
    expect((empty.body.steps as Counts[]).every((s) => s.reached === 0 && s.answered === 0)).toBe(true);
  });

  it("regression: the funnel's flow picker showed flow ids (certificates) and opened on a flow nobody had used", async () => {
    await say('ft', '注册');
    const zh = await r.api('GET', '/funnels?from=2026-01-01&to=2026-12-31', token);
    expect(zh.status, JSON.stringify(zh.body)).toBe(200);
    expect(zh.body.flow).toBe('registration');
    expect(zh.body.flows).toContainEqual(expect.objectContaining({ id: 'registration', title: '党务工作者注册' }));
    // A flow that asks nothing has no funnel to show.
    expect(zh.body.flows.map((f: { id: string }) => f.id)).not.toContain('status');
    const en = await r.api('GET', '/funnels?from=2026-01-01&to=2026-12-31&lang=en', token);
    expect(en.body.flows).toContainEqual(expect.objectContaining({ id: 'registration', title: 'Worker registration' }));
  });

  it('refuses bad input with a specific 400 and an unknown flow with 404', async () => {
    expect((await r.api('GET', '/funnels?from=2026-03-01', token)).body.error).toMatch(/to/);
    expect((await r.api('GET', '/funnels?from=2026-3-1&to=2026-03-02', token)).body.error).toMatch(/YYYY-MM-DD/);
    expect((await r.api('GET', '/funnels?from=2026-03-02&to=2026-03-01', token)).status).toBe(400);
    const unknown = await r.api('GET', '/funnels?flow=nosuch&from=2026-03-01&to=2026-03-01', token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/registration/);
  });
});
