import { describe, expect, expectTypeOf, it } from 'vitest';
import { messages } from '../../console/src/features/broadcasts/messages.ts';
import { DETAIL_KEYS, EXPLAINED_REASONS, reasonDetail, testSendReason } from '../../console/src/features/broadcasts/reasons.ts';
import type { ReachRefusal } from '../../src/app/ports/reach.ts';
import { SKIP_REASONS } from '../../src/domain/broadcasts/delivery.ts';

/** The message at a dotted key of one locale's tree, or undefined. */
function lookup(locale: 'zh-CN' | 'en', key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), messages[locale]);
}

describe('recipients table: the line under a skip reason', () => {
  it('a known detail (which mute, the channel’s refusal) is translated; the platform’s words are shown as they came; a bare reason gets its explanation', () => {
    expect(reasonDetail({ reason: 'muted', detail: 'broadcast' })).toEqual({ key: 'broadcasts.reasonDetail.broadcast' });
    expect(reasonDetail({ reason: 'unreachable', detail: 'windowClosed' })).toEqual({ key: 'broadcasts.reasonDetail.windowClosed' });
    expect(reasonDetail({ reason: 'Bad_Request', detail: 'Bad Request: chat not found' })).toEqual({ raw: 'Bad Request: chat not found' });
    expect(reasonDetail({ reason: 'expired' })).toEqual({ key: 'broadcasts.reasonWhy.expired' });
    expect(reasonDetail({ reason: 'someNewReason' })).toBeNull();
    expect(reasonDetail({})).toBeNull();
  });

  it('every skip reason the server records, every detail key and every explanation exists in zh-CN and en', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const r of SKIP_REASONS) {
        expect(typeof lookup(locale, `broadcasts.reason.${r}`), `${locale} reason.${r}`).toBe('string');
        expect(EXPLAINED_REASONS as readonly string[], r).toContain(r);
      }
      for (const d of DETAIL_KEYS) expect(typeof lookup(locale, `broadcasts.reasonDetail.${d}`), `${locale} reasonDetail.${d}`).toBe('string');
      for (const r of EXPLAINED_REASONS) expect(typeof lookup(locale, `broadcasts.reasonWhy.${r}`), `${locale} reasonWhy.${r}`).toBe('string');
    }
    // Every refusal a channel can give has its line (npm run typecheck fails when a new one is added without it).
    expectTypeOf<Exclude<ReachRefusal, (typeof DETAIL_KEYS)[number]>>().toEqualTypeOf<never>();
    // zh-CN and en say different things (a copy left untranslated would be equal).
    for (const d of DETAIL_KEYS) expect(lookup('en', `broadcasts.reasonDetail.${d}`)).not.toBe(lookup('zh-CN', `broadcasts.reasonDetail.${d}`));
  });
});

describe('a test send that did not go', () => {
  it('regression: the compose page said "测试消息未发出：unreachable:noChannel"', () => {
    const why = testSendReason('unreachable:noChannel');
    expect(why).toEqual({ reason: 'unreachable', detail: 'noChannel' });
    expect(lookup('zh-CN', `broadcasts.reason.${why.reason}`)).toBe('无法触达');
    expect(reasonDetail(why)).toEqual({ key: 'broadcasts.reasonDetail.noChannel' });
    expect(lookup('zh-CN', 'broadcasts.reasonDetail.noChannel')).toBe('该渠道未启用');
    // The platform's own words (a failed send) stay as they came, under "the platform said".
    expect(reasonDetail(testSendReason('Bad Request: chat not found'))).toEqual({ raw: 'Bad Request: chat not found' });
    expect(testSendReason(undefined)).toEqual({});
  });
});
