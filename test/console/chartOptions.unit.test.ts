import { describe, expect, it } from 'vitest';
import { funnelHeight, funnelOption, trendIsEmpty } from '../../console/src/logic/chartOptions.ts';

describe('dashboard chart options', () => {
  const steps = [
    { label: '姓名', reached: 3, answered: 2, gaveUp: 1 },
    { label: '手机号', reached: 2, answered: 1, gaveUp: 1 },
  ];
  const names = { reached: '到达', answered: '作答', gaveUp: '放弃' };

  it("draws the funnel's first step on top (ECharts draws categories bottom up) with each count as a series", () => {
    const option = funnelOption(steps, names);
    expect(option.yAxis.data).toEqual(['手机号', '姓名']);
    expect(option.series.map((s) => [s.name, s.data])).toEqual([
      ['到达', [2, 3]],
      ['作答', [1, 2]],
      ['放弃', [1, 1]],
    ]);
  });

  it('grows with the number of steps, never below a readable height', () => {
    expect(funnelHeight(1)).toBe(240);
    expect(funnelHeight(18)).toBeGreaterThan(funnelHeight(10));
  });
});

describe('the trend chart', () => {
  const month = (m: string, n: Partial<Record<'declared' | 'certified' | 'returned' | 'rejected', number>> = {}) => ({ month: m, declared: 0, certified: 0, returned: 0, rejected: 0, ...n });

  it('regression: an empty trend chart drew twelve months of zero lines and did not say why it was empty', () => {
    expect(trendIsEmpty([month('2026-01'), month('2026-02')])).toBe(true);
    expect(trendIsEmpty([])).toBe(true);
  });

  it('is drawn when any month has any figure', () => {
    expect(trendIsEmpty([month('2026-01'), month('2026-02', { rejected: 1 })])).toBe(false);
    expect(trendIsEmpty([month('2026-01', { declared: 3 })])).toBe(false);
  });
});
