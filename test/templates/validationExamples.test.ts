/**
 * Every re-ask a flow can give for an answer of the wrong shape says what is expected, with an example: a bare
 * "格式不正确" leaves the worker guessing. Walks the questions of every loaded flow and the messages their input
 * types can answer with, in each locale, plus the re-asks the flows' actions give.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { content, ROOT } from '../support/engineHarness.ts';

const LOCALES = ['zh-CN', 'en'] as const;
type Locale = (typeof LOCALES)[number];

/** What an example looks like in each language. */
const EXAMPLE: Record<Locale, RegExp> = { 'zh-CN': /例如|（如|如“|按“[^”]+”/, en: /\be\.g\.|for example|\blike\s+["“]?\d/ };

/** Refusals of a value out of bounds: they name the bound ({{min}}, {{today}}…) or give an example. */
const BOUNDS = new Set(['tooShort', 'tooLong', 'tooSmall', 'tooLarge', 'tooEarly', 'tooLate', 'future', 'beforeAge', 'tooManyDecimals']);

/**
 * Types whose refusals come with the options themselves (buttons or a numbered list), or ask for a picture;
 * text.notText (a picture sent at a text question: the question says what to write); and a wrong check digit,
 * where the shape was right and an example cannot show the digit (the message points to the card instead).
 */
const SHOWS_ITS_OPTIONS = new Set(['choice', 'yesno', 'region', 'image']);
const EXEMPT_REASONS = new Set(['text.notText', 'idNumber.checksum', 'uscc.checksum']);

/** Re-asks given by the flows' actions rather than by an input type (a code, a date in 退订 <kind> <date>). */
const ACTION_REASKS = ['training:checkin.format', 'reminders:mute.badDate', 'reminders:mute.unknownKind'];

function rawInputs(locale: Locale): Record<string, Record<string, string>> {
  return parseYaml(readFileSync(join(ROOT, 'templates', locale, 'inputs.yaml'), 'utf8')) as Record<string, Record<string, string>>;
}

/** Each message key the loaded flows' questions can answer a wrong-shaped answer with, and what rule it meets. */
function validationMessages(): { key: string; where: string; bounds: boolean }[] {
  const out = new Map<string, { key: string; where: string; bounds: boolean }>();
  const reasons = rawInputs('zh-CN');
  for (const flow of content().flows.all()) {
    for (const step of flow.steps) {
      if (step.kind !== 'ask' || SHOWS_ITS_OPTIONS.has(step.input.type)) continue;
      const where = `${flow.file} › ${step.id}`;
      const input = step.input as { type: string; pattern?: string; patternMessage?: string };
      if (input.pattern) {
        // The generic inputs:text.pattern cannot know the shape a pattern wants: each pattern brings its own words.
        expect(input.patternMessage, `${where}: a pattern needs a patternMessage saying the expected shape`).toBeTruthy();
        out.set(input.patternMessage!, { key: input.patternMessage!, where, bounds: false });
      }
      for (const reason of Object.keys(reasons[input.type] ?? {})) {
        if (input.type === 'text' && reason === 'pattern') continue;
        if (EXEMPT_REASONS.has(`${input.type}.${reason}`)) continue;
        const key = `inputs:${input.type}.${reason}`;
        if (!out.has(key)) out.set(key, { key, where, bounds: BOUNDS.has(reason) });
      }
    }
  }
  for (const key of ACTION_REASKS) out.set(key, { key, where: 'an action', bounds: false });
  return [...out.values()];
}

describe('validation re-asks', () => {
  it('regression: "格式不正确" without the expected format — every re-ask of a wrong-shaped answer gives an example (ID number, phone, date, code …)', () => {
    const messages = validationMessages();
    // The walk reaches the types the brief names: a regression in the walk itself would pass everything.
    expect(messages.map((m) => m.key)).toEqual(
      expect.arrayContaining(['inputs:idNumber.format', 'inputs:mobile.length', 'inputs:date.format', 'inputs:date.invalid', 'inputs:uscc.format', 'inputs:integer.notInteger', 'checkin:code.pattern', 'registration:name.pattern']),
    );
    const t = content().translator;
    const lacking: string[] = [];
    for (const { key, where, bounds } of messages) {
      for (const locale of LOCALES) {
        expect(t.has(locale, key), `${locale} ${key}`).toBe(true);
        const raw = key.startsWith('inputs:') ? rawInputs(locale)[key.slice(7).split('.')[0]!]![key.split('.')[1]!]! : t.t(locale, key, {});
        const ok = EXAMPLE[locale].test(raw) || (bounds && /\{\{\w+\}\}/.test(raw));
        if (!ok) lacking.push(`${locale} ${key} (${where}): ${raw}`);
      }
    }
    expect(lacking).toEqual([]);
  });

  it('the examples of an ID number and a credit code cannot be registered as they stand (their check digit is wrong)', async () => {
    const { parseIdNumber } = await import('../../src/domain/identity/idNumber.ts');
    const { parseUscc } = await import('../../src/domain/identity/uscc.ts');
    for (const locale of LOCALES) {
      const raw = rawInputs(locale);
      const ids = new Set([...Object.values(raw.idNumber!).join(' ').matchAll(/\d{17}[\dX]/g)].map((m) => m[0]));
      const codes = new Set([...Object.values(raw.uscc!).join(' ').matchAll(/\b[0-9A-Z]{18}\b/g)].map((m) => m[0]));
      expect(ids.size, locale).toBeGreaterThan(0);
      expect(codes.size, locale).toBeGreaterThan(0);
      for (const id of ids) expect(parseIdNumber(id), id).toMatchObject({ ok: false, reason: 'checksum' });
      for (const code of codes) expect(parseUscc(code), code).toMatchObject({ ok: false, reason: 'checksum' });
    }
  });
});
