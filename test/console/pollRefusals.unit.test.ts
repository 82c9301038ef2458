import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../console/src/api/http.ts';
import { messages } from '../../console/src/features/polls/messages.ts';
import { pollRefusalText } from '../../console/src/features/polls/refusals.ts';
import enBase from '../../console/src/locales/en.ts';
import zhBase from '../../console/src/locales/zh-CN.ts';
import { POLL_REFUSAL_CODES } from '../../src/app/polls/refusals.ts';

type Locale = 'zh-CN' | 'en';
const LOCALES: Locale[] = ['zh-CN', 'en'];
const trees: Record<Locale, unknown[]> = { 'zh-CN': [messages['zh-CN'], zhBase], en: [messages.en, enBase] };

function lookup(locale: Locale, key: string): unknown {
  for (const tree of trees[locale]) {
    const hit = key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), tree);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
/** vue-i18n's t and te over the feature's and the console's messages ({name} interpolation). */
const i18n = (locale: Locale) => ({
  t: (key: string, params: Record<string, unknown> = {}) => String(lookup(locale, key) ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? '')),
  te: (key: string) => typeof lookup(locale, key) === 'string',
});

/** Every `code: '…'` the poll services refuse with (the API sends it as the answer's `code`). */
function codesInPollServices(): Set<string> {
  const dir = new URL('../../src/app/polls/', import.meta.url);
  const codes = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'refusals.ts')) {
    for (const m of readFileSync(new URL(file, dir), 'utf8').matchAll(/\bcode: '(\w+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe('poll refusals in the console’s language', () => {
  it('every refusal code of the poll API is listed, and has a sentence in every console locale', () => {
    const used = codesInPollServices();
    expect(used.size).toBeGreaterThan(10);
    expect([...used].sort()).toEqual([...POLL_REFUSAL_CODES].sort());
    for (const locale of LOCALES) {
      for (const code of POLL_REFUSAL_CODES) {
        const sentence = lookup(locale, `polls.refusal.${code}`);
        expect(typeof sentence, `${locale} polls.refusal.${code}`).toBe('string');
        if (locale === 'zh-CN') expect(sentence, `zh-CN polls.refusal.${code} is Chinese`).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('regression: the zh-CN console showed the API\'s English ("application … is certified; a poll rates an open application")', () => {
    const notOpen = new ApiError(422, 'application a1 is certified; a poll rates an open application', 'notOpen', { code: 'notOpen', params: { status: 'certified' }, error: 'application a1 is certified; a poll rates an open application' });
    const zh = i18n('zh-CN');
    expect(pollRefusalText(notOpen, zh.t, zh.te)).toBe('该申报当前为「已认定」，满意度测评只能为办理中的申报发起。');
    const en = i18n('en');
    expect(pollRefusalText(notOpen, en.t, en.te)).toBe('The application is “Certified”; a poll rates an application in progress.');
    const groups = new ApiError(400, 'groups must add up to 1-20000 respondents, got 0', 'groups', { code: 'groups', params: { total: 0, max: 20000 } });
    expect(pollRefusalText(groups, zh.t, zh.te)).toBe('各组人数合计应为 1 到 20000 人，现在是 0 人。');
  });

  it('keeps the error\'s own message for what it does not know (a new code, a network failure)', () => {
    const zh = i18n('zh-CN');
    expect(pollRefusalText(new ApiError(422, 'something new', 'someNewCode', { code: 'someNewCode' }), zh.t, zh.te)).toBe('something new');
    expect(pollRefusalText(new TypeError('Failed to fetch'), zh.t, zh.te)).toBe('Failed to fetch');
  });
});
