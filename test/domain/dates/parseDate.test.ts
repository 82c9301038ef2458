import { describe, expect, it } from 'vitest';
import {
  ageOn,
  chinaDate,
  dayNumber,
  parseDate,
  parseYearMonth,
  yearsBetween,
} from '../../../src/domain/dates/parseDate.ts';

const today = '2024-06-15';

describe('parseDate: formats', () => {
  it.each([
    ['2024-03-01', '2024-03-01'],
    ['2024-3-1', '2024-03-01'],
    ['2024/3/1', '2024-03-01'],
    ['2024/03/01', '2024-03-01'],
    ['2024.3.1', '2024-03-01'],
    ['2024年3月1日', '2024-03-01'],
    ['2024年3月1号', '2024-03-01'],
    ['2024年03月01日', '2024-03-01'],
    ['2024 年 3 月 1 日', '2024-03-01'],
    ['20240301', '2024-03-01'],
    ['２０２４－０３－０１', '2024-03-01'],
    ['２０２４年３月１日', '2024-03-01'],
    ['２０２４０３０１', '2024-03-01'],
    ['  2024/12/31  ', '2024-12-31'],
  ])('%j → %j', (raw, value) => {
    expect(parseDate(raw, { today })).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'format'],
    ['yesterday', 'format'],
    ['2024-03', 'format'],
    ['24-3-1', 'format'],
    ['2024-3/1', 'format'], // mixed separators
    ['2024031', 'format'],
    ['2024年3月', 'format'],
    ['3月1日', 'format'],
    ['2024-02-30', 'invalid'],
    ['2023-02-29', 'invalid'],
    ['1900-02-29', 'invalid'], // century, not a leap year
    ['2024-13-01', 'invalid'],
    ['2024-00-10', 'invalid'],
    ['2024-04-31', 'invalid'],
    ['2024年6月0日', 'invalid'],
    ['20241301', 'invalid'],
  ])('%j → %s', (raw, reason) => {
    expect(parseDate(raw, { today })).toEqual({ ok: false, reason });
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'], // divisible by 400: leap
    ['1996年2月29日', '1996-02-29'],
  ])('leap day %j is valid', (raw, value) => {
    expect(parseDate(raw, { today })).toEqual({ ok: true, value });
  });
});

describe('parseDate: bounds', () => {
  it.each([
    // raw, options, expected
    ['2024-06-15', { notFuture: true }, { ok: true, value: '2024-06-15' }],
    ['2024-06-16', { notFuture: true }, { ok: false, reason: 'future' }],
    ['2030-01-01', { notFuture: true }, { ok: false, reason: 'future' }],
    ['2030-01-01', {}, { ok: true, value: '2030-01-01' }],
    ['2020-01-01', { min: '2020-01-01' }, { ok: true, value: '2020-01-01' }],
    ['2019-12-31', { min: '2020-01-01' }, { ok: false, reason: 'tooEarly' }],
    ['2024-01-31', { max: '2024-01-31' }, { ok: true, value: '2024-01-31' }],
    ['2024-02-01', { max: '2024-01-31' }, { ok: false, reason: 'tooLate' }],
    ['1999-09-09', { min: '2000-01-01', max: '2010-01-01' }, { ok: false, reason: 'tooEarly' }],
    ['2011-01-01', { min: '2000-01-01', max: '2010-01-01' }, { ok: false, reason: 'tooLate' }],
    ['2005-05-05', { min: '2000-01-01', max: '2010-01-01' }, { ok: true, value: '2005-05-05' }],
  ] as const)('%j with %j', (raw, extra, expected) => {
    expect(parseDate(raw, { today, ...extra })).toEqual(expected);
  });

  it('compares calendar order, not string order of the input', () => {
    expect(parseDate('2024/9/1', { today, min: '2024-10-01' })).toEqual({ ok: false, reason: 'tooEarly' });
  });

  it('throws for malformed options, which are a program error', () => {
    expect(() => parseDate('2024-01-01', { today: '2024/01/01' })).toThrow(TypeError);
    expect(() => parseDate('2024-01-01', { today, min: '2024-02-30' })).toThrow(TypeError);
  });
});

describe('parseYearMonth', () => {
  it.each([
    ['2024-03', '2024-03'],
    ['2024-3', '2024-03'],
    ['2024/3', '2024-03'],
    ['2024.3', '2024-03'],
    ['2024年3月', '2024-03'],
    ['2024年03月', '2024-03'],
    ['202403', '2024-03'],
    ['２０２４年３月', '2024-03'],
    ['２０２４０３', '2024-03'],
  ])('%j → %j', (raw, value) => {
    expect(parseYearMonth(raw, { today })).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'format'],
    ['March 2024', 'format'],
    ['2024-03-01', 'format'],
    ['24-03', 'format'],
    ['2024-13', 'invalid'],
    ['2024年0月', 'invalid'],
    ['202400', 'invalid'],
  ])('%j → %s', (raw, reason) => {
    expect(parseYearMonth(raw, { today })).toEqual({ ok: false, reason });
  });

  it.each([
    ['2024-06', { notFuture: true }, { ok: true, value: '2024-06' }], // the current month is not future
    ['2024-07', { notFuture: true }, { ok: false, reason: 'future' }],
    ['2019-12', { min: '2020-01' }, { ok: false, reason: 'tooEarly' }],
    ['2020-01', { min: '2020-01' }, { ok: true, value: '2020-01' }],
    ['2023-02', { max: '2023-01' }, { ok: false, reason: 'tooLate' }],
    ['2023-01', { max: '2023-01' }, { ok: true, value: '2023-01' }],
  ] as const)('%j with %j', (raw, extra, expected) => {
    expect(parseYearMonth(raw, { today, ...extra })).toEqual(expected);
  });
});

describe('yearsBetween', () => {
  it.each([
    ['2020-03-01', '2023-03-01', 3],
    ['2020-03-01', '2023-02-28', 2 + 364 / 365], // one day short of the anniversary
    ['2020-03-01', '2023-03-02', 3 + 1 / 366], // 2023-03-01 → 2024-03-01 spans 29 Feb 2024
    ['2020-01-01', '2020-01-01', 0],
    ['2020-01-01', '2020-07-02', 183 / 366],
    ['2021-01-01', '2022-01-01', 1],
    ['1964-06-15', '2024-06-15', 60],
    ['1964-06-15', '2024-06-14', 59 + 365 / 366],
    // Born on a leap day: the anniversary in a common year is 28 February (Civil Code art. 201).
    ['2020-02-29', '2021-02-28', 1],
    ['2020-02-29', '2024-02-29', 4],
    ['2020-02-29', '2024-02-28', 3 + 365 / 366],
    ['2020-03-01', '2019-03-01', -1],
  ])('%s → %s is %d', (from, to, expected) => {
    expect(yearsBetween(from, to)).toBeCloseTo(expected, 12);
  });

  it('gives exactly an integer on an anniversary, so `>= 3` needs no rounding', () => {
    expect(yearsBetween('2021-06-30', '2024-06-30')).toBe(3);
    expect(yearsBetween('2021-06-30', '2024-06-29') >= 3).toBe(false);
    expect(yearsBetween('2000-02-29', '2003-02-28')).toBe(3);
  });
});

describe('ageOn', () => {
  it.each([
    ['1964-06-15', '2024-06-14', 59],
    ['1964-06-15', '2024-06-15', 60],
    ['1964-06-15', '2024-06-16', 60],
    ['2000-02-29', '2001-02-28', 1],
    ['2000-02-29', '2001-02-27', 0],
    ['2000-02-29', '2004-02-29', 4],
    ['2000-02-29', '2000-02-29', 0],
    ['1999-12-31', '2000-01-01', 0],
    ['2024-06-15', '2024-06-14', -1],
  ])('born %s, on %s: %d', (birth, date, age) => {
    expect(ageOn(birth, date)).toBe(age);
  });
});

describe('calendar helpers', () => {
  it('numbers days from 1970-01-01 across leap years', () => {
    expect(dayNumber(1970, 1, 1)).toBe(0);
    expect(dayNumber(2000, 3, 1) - dayNumber(2000, 2, 28)).toBe(2);
    expect(dayNumber(1900, 3, 1) - dayNumber(1900, 2, 28)).toBe(1);
    expect(dayNumber(2024, 6, 15)).toBe(Date.UTC(2024, 5, 15) / 86_400_000);
  });

  it('takes the date in China, not of the server', () => {
    expect(chinaDate(new Date(Date.UTC(2024, 1, 29, 15, 59)))).toBe('2024-02-29');
    expect(chinaDate(new Date(Date.UTC(2024, 1, 29, 16, 0)))).toBe('2024-03-01');
  });

  it('answers each instant with its own day when calls jump between days (the last day is remembered)', () => {
    const at = (iso: string) => chinaDate(new Date(iso));
    expect([at('2026-03-01T02:00:00Z'), at('2026-03-01T15:59:59.999Z'), at('1999-12-31T16:00:00Z'), at('2026-03-01T16:00:00Z'), at('2026-03-01T03:00:00Z')]).toEqual([
      '2026-03-01',
      '2026-03-01',
      '2000-01-01',
      '2026-03-02',
      '2026-03-01',
    ]);
    expect(at('1969-12-31T16:00:00Z')).toBe('1970-01-01');
    expect(at('1969-12-31T15:59:59Z')).toBe('1969-12-31');
  });

  it('refuses an invalid Date instead of returning a made-up day', () => {
    expect(() => chinaDate(new Date('not a date'))).toThrow(RangeError);
  });
});
