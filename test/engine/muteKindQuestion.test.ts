/** 退订 without a kind asks which; the whole command typed at that list is the pick it names. */
import { describe, expect, it } from 'vitest';
import { defaultActions, EngineHarness } from '../support/engineHarness.ts';

// The mute itself is tested over the app (test/http/trainingApi.test.ts); here it says which kind it was given.
const actions = { ...defaultActions(), 'reminders.mute': async (args: Record<string, unknown>) => ({ status: 'done', text: `muted ${String(args.kind)}` }) };

describe('the mute kind question', () => {
  it.each([
    ['zh-CN', '退订', '退订 全部', 'all'],
    ['en', 'mute', 'mute all', 'all'],
    ['en', 'mute', 'mute training', 'sessionStart'],
  ] as const)('regression: %s "%s" then "%s" at the list got "please choose one of the options"', async (locale, first, again, kind) => {
    const h = new EngineHarness(actions);
    h.state.locale = locale;
    await h.say(first);
    expect(h.state).toMatchObject({ flowId: 'mute', stepId: 'kind' });
    expect(await h.say(again)).toBe(`muted ${kind}`);
  });
});
