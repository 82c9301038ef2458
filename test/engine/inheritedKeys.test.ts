/**
 * Regression: words that name Object.prototype members (`constructor`, `__proto__`, ...) were looked up in plain
 * objects and found what every object inherits, so after 菜单 "constructor" threw `TypeError ... reading 'type'`
 * in the driver. Each word, in each spelling, as text and as a tapped choice id, at every kind of waiting point:
 * an ordinary answer or a polite "not understood", never an exception.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/engine/types.ts';
import { EngineHarness } from '../support/engineHarness.ts';
import { inheritedNameVariants } from '../support/inheritedNames.ts';
import { registrationAt, restore, snapshot, type Snapshot } from './registrationPoints.ts';

const NOT_UNDERSTOOD = '抱歉，没有理解您的意思。请从下面的菜单中选择：';
const MENU_PROMPT = '请选择要办理的事项';
const NOT_AN_OPTION = /请从下面的选项中选择，或直接回复选项文字。/;
const ORG_CODE_PROMPT = '请输入单位的统一社会信用代码';

const WORDS = inheritedNameVariants();
const AS = [
  { how: 'typed', input: (w: string): Inbound => ({ type: 'text', text: w }) },
  { how: 'as a choice id', input: (w: string): Inbound => ({ type: 'choice', choiceId: w }) },
] as const;

const points: Record<'idle' | 'menu' | 'choice' | 'text', Snapshot> = {} as never;
beforeAll(async () => {
  const idle = new EngineHarness();
  await idle.send('菜单');
  await idle.send('取消');
  points.idle = snapshot(idle);
  const menu = new EngineHarness();
  await menu.send('菜单');
  points.menu = snapshot(menu);
  points.choice = snapshot(await registrationAt('orgType'));
  points.text = snapshot(await registrationAt('orgName'));
});

describe('regression: "constructor" and other inherited names gave an internal error', () => {
  for (const { how, input } of AS) {
    it(`with nothing in progress, each ${how} is not understood and the menu opens`, async () => {
      for (const w of WORDS) {
        const h = restore(points.idle);
        expect(h.state.flowId, 'the snapshot is idle').toBeNull();
        const reply = await h.say(input(w));
        expect(reply, w).toContain(NOT_UNDERSTOOD);
        expect(reply, w).toContain(MENU_PROMPT);
        expect(h.state.flowId, w).toBe('menu');
      }
    });

    it(`at the menu, each ${how} is not one of its options`, async () => {
      for (const w of WORDS) {
        const h = restore(points.menu);
        const reply = await h.say(input(w));
        expect(reply, w).toMatch(NOT_AN_OPTION);
        expect([h.state.flowId, h.state.stepId], w).toEqual(['menu', 'pick']);
      }
    });

    it(`at a choice question (orgType), each ${how} is not one of its options`, async () => {
      for (const w of WORDS) {
        const h = restore(points.choice);
        const reply = await h.say(input(w));
        expect(reply, w).toMatch(NOT_AN_OPTION);
        expect([h.state.flowId, h.state.stepId], w).toEqual(['registration', 'orgType']);
      }
    });

    it(`at a free-text question (orgName), each ${how} is an ordinary answer`, async () => {
      for (const w of WORDS) {
        const h = restore(points.text);
        const reply = await h.say(input(w));
        expect(reply, w).toContain(ORG_CODE_PROMPT);
        expect(h.state.stepId, w).toBe('orgCode');
        expect(Object.hasOwn(h.state.answers, 'orgName') && h.state.answers.orgName, w).toBe(w);
      }
    });
  }
});
