import { describe, expect, it } from 'vitest';
import { funnelHeight, funnelOption } from '../../console/src/logic/chartOptions.ts';

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
