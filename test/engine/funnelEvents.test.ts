/**
 * The funnel events read off one turn (before/after state and effects): what the per-step counters count.
 */
import { describe, expect, it } from 'vitest';
import { funnelEvents, type FunnelEvent } from '../../src/engine/funnelEvents.ts';
import { runTurn } from '../../src/engine/index.ts';
import type { Effect, Inbound } from '../../src/engine/types.ts';
import { durationBucket, medianMs } from '../../src/domain/funnel/durations.ts';
import { EngineHarness, makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';

const TIMEOUT = 30 * 60_000;

/** Sends one message like EngineHarness.send, and returns the turn's funnel events (without the flow version). */
async function turn(h: EngineHarness, text: string): Promise<Omit<FunnelEvent, 'flowVersion'>[]> {
  const before = h.state;
  let result = runTurn(h.c.flows, before, { type: 'text', text }, h.ctx());
  const effects: Effect[] = [...result.effects];
  while (result.awaitingAction) {
    const value = await h.actions[result.awaitingAction.name]!(result.awaitingAction.args, { channel: 'test', userId: 'u1', locale: 'zh-CN', now: h.now });
    const inbound: Inbound = { type: 'actionResult', ok: true, value };
    result = runTurn(h.c.flows, result.state, inbound, h.ctx());
    effects.push(...result.effects);
  }
  h.state = { ...result.state, version: result.state.version + 1 };
  return funnelEvents(before, { state: result.state, effects }, h.now, TIMEOUT).map(({ flowVersion: _v, ...e }) => e);
}

const ID = makeIdNumber('320102', '19850312', '123');
const steps = registrationAnswers(ID);

describe('funnelEvents', () => {
  it('a clean registration: every question reached once and answered once, with the time it took', async () => {
    const h = new EngineHarness();
    expect(await turn(h, '注册')).toEqual([{ kind: 'reached', flowId: 'registration', stepId: steps[0]![0] }]);
    h.advance(4_000);
    const [firstStep, firstText] = steps[0]!;
    const events = await turn(h, firstText);
    expect(events[0]).toEqual({ kind: 'answered', flowId: 'registration', stepId: firstStep, ms: 4_000 });
    expect(events[1]).toMatchObject({ kind: 'reached', flowId: 'registration' });
    expect(events[1]!.stepId).not.toBe(firstStep);
  });

  it('a refused answer is a retry at its step, and the step is not reached again', async () => {
    const h = new EngineHarness();
    await turn(h, '注册');
    const mobileAt = steps.findIndex(([id]) => id === 'mobile');
    for (const [, text] of steps.slice(0, mobileAt)) await turn(h, text);
    expect(h.state.stepId).toBe('mobile');
    expect(await turn(h, '12345')).toEqual([{ kind: 'retry', flowId: 'registration', stepId: 'mobile' }]);
    expect((await turn(h, '13812345678'))[0]).toMatchObject({ kind: 'answered', stepId: 'mobile' });
  });

  it('取消 gives up at the step the user was at; 菜单 (the flow parked) too', async () => {
    const h = new EngineHarness();
    await turn(h, '注册');
    await turn(h, steps[0]![1]);
    const at = h.state.stepId!;
    expect(await turn(h, '取消')).toEqual([{ kind: 'gaveUp', flowId: 'registration', stepId: at }]);

    await turn(h, '注册');
    await turn(h, steps[0]![1]);
    const events = await turn(h, '菜单');
    expect(events[0]).toEqual({ kind: 'gaveUp', flowId: 'registration', stepId: at });
    expect(events.filter((e) => e.kind === 'answered')).toEqual([]);
  });

  it('back answers nothing and gives up nothing: the previous question is reached again', async () => {
    const h = new EngineHarness();
    await turn(h, '注册');
    await turn(h, steps[0]![1]);
    expect(await turn(h, '返回')).toEqual([{ kind: 'reached', flowId: 'registration', stepId: steps[0]![0] }]);
  });

  it('a conversation idle past the session timeout timed out at its step; the answer that wakes it has no duration', async () => {
    const h = new EngineHarness();
    await turn(h, '注册');
    await turn(h, steps[0]![1]);
    const [at, text] = steps[1]!;
    h.advance(TIMEOUT + 1);
    const events = await turn(h, text);
    expect(events.slice(0, 1)).toEqual([{ kind: 'timedOut', flowId: 'registration', stepId: at }]);
    const answered = events.find((e) => e.kind === 'answered');
    // A free-text question is not taken as an answer after a timeout (the bot offers to resume instead).
    if (answered) expect(answered.ms).toBeUndefined();
    else expect(events).toEqual([{ kind: 'timedOut', flowId: 'registration', stepId: at }]);
  });

  it('completing the flow at its summary answers the summary', async () => {
    const h = new EngineHarness();
    await turn(h, '注册');
    for (const [, text] of steps) await turn(h, text);
    const summary = h.state.stepId!;
    const events = await turn(h, '确认');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'answered', flowId: 'registration', stepId: summary }));
    expect(events.filter((e) => e.kind === 'gaveUp')).toEqual([]);
  });
});

describe('duration buckets', () => {
  it('the median is the middle of the bucket holding the middle value, within a factor √2', () => {
    const h: Record<string, number> = {};
    for (const ms of [1_000, 2_000, 3_000, 60_000, 90_000]) h[durationBucket(ms)] = (h[durationBucket(ms)] ?? 0) + 1;
    const m = medianMs(h)!;
    expect(m / 3_000).toBeGreaterThan(1 / Math.SQRT2);
    expect(m / 3_000).toBeLessThan(Math.SQRT2);
    expect(medianMs({})).toBeNull();
  });
});
