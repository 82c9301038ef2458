import { describe, expect, it } from 'vitest';
import { actorName, bracketed, chinaDay, chinaDayBound, date, dateTime, duration, localized, percent, preferredName, rate, waitingBucket } from '../../console/src/logic/format.ts';

describe('console formatting', () => {
  it('shows instants in China time, whatever the browser zone', () => {
    expect(dateTime('2026-02-28T16:30:00.000Z')).toBe('2026-03-01 00:30');
    expect(date('2026-02-28T16:30:00.000Z')).toBe('2026-03-01');
  });

  it('keeps calendar dates as they are and shows a dash for none', () => {
    expect(date('2026-03-01')).toBe('2026-03-01');
    expect(dateTime(null)).toBe('—');
    expect(dateTime('not a date')).toBe('not a date');
  });

  it('picks the name in the page language, with fallbacks', () => {
    const name = { 'zh-CN': '中级', en: 'Intermediate' };
    expect(localized(name, 'zh-CN')).toBe('中级');
    expect(localized(name, 'en')).toBe('Intermediate');
    expect(localized({ 'zh-CN': '中级', en: '' }, 'en')).toBe('中级');
    expect(localized('中级', 'en')).toBe('中级');
    expect(localized(null, 'en', 'intermediate')).toBe('intermediate');
  });

  it('writes median step times readably in both languages', () => {
    expect(duration(850, 'en')).toBe('850 ms');
    expect(duration(12_400, 'en')).toBe('12 s');
    expect(duration(185_000, 'zh-CN')).toBe('3 分 5 秒');
    expect(duration(7_800_000, 'en')).toBe('2 h 10 min');
    expect(duration(null, 'en')).toBe('—');
  });

  it('percentages and rates', () => {
    expect(percent(1, 3)).toBe('33%');
    expect(percent(1, 0)).toBe('—');
    expect(rate(0.855)).toBe('85.5%');
    expect(rate(null)).toBe('—');
  });

  it("names a history event's actor whatever its shape", () => {
    expect(actorName({ kind: 'admin', id: 'a1', name: '王主任' })).toBe('王主任');
    expect(actorName({ kind: 'system' })).toBe('system');
    expect(actorName('job')).toBe('job');
    expect(actorName(undefined)).toBe('—');
  });

  it('counts days in China: 20:00 UTC is already the next day there', () => {
    const now = new Date('2026-02-28T20:00:00Z');
    expect(chinaDay(now)).toBe('2026-03-01');
    expect(chinaDay(now, 29)).toBe('2026-01-31');
  });

  it('turns a China day into the instants that bound it', () => {
    expect(new Date(chinaDayBound('2026-03-01')).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(new Date(chinaDayBound('2026-03-01', true)).toISOString()).toBe('2026-03-01T15:59:59.999Z');
  });

  it('regression: the en dashboard showed the waiting buckets as 0-3d and the oldest applications’ stage as 资格审查', () => {
    expect(waitingBucket('0-3d', 'en')).toBe('0–3 days');
    expect(waitingBucket('>30d', 'en')).toBe('over 30 days');
    expect(waitingBucket('15-30d', 'zh-CN')).toBe('15–30 天');
    expect(waitingBucket('>30d', 'zh-CN')).toBe('30 天以上');
    expect(waitingBucket('soon', 'en')).toBe('soon');
    // The catalog's name (in the page's language) wins over the API's Chinese one; an id the catalog lacks keeps the API's.
    expect(preferredName('Qualification review', 'qualificationReview', '资格审查')).toBe('Qualification review');
    expect(preferredName('qualificationReview', 'qualificationReview', '资格审查')).toBe('资格审查');
    expect(preferredName('x', 'x', '')).toBe('x');
  });

  it('regression: a region on the en certificate page read 玄武区（320102） with Chinese brackets', () => {
    expect(bracketed('玄武区', '320102', 'en')).toBe('玄武区 (320102)');
    expect(bracketed('玄武区', '320102', 'zh-CN')).toBe('玄武区（320102）');
  });
});
