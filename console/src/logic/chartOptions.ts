/** ECharts options built from the dashboard's numbers; plain data in, plain objects out (no ECharts import). */

const RED = ['#c8161d', '#e6a23c', '#d4380d', '#f6d28b', '#8c1c13', '#fa8c16', '#ad6800', '#5c0011'];

export function barOption(labels: string[], values: number[], opts: { horizontal?: boolean; name?: string } = {}) {
  const category = { type: 'category', data: labels, axisLabel: { interval: 0, overflow: 'truncate', width: 80 } };
  const value = { type: 'value', minInterval: 1 };
  return {
    color: RED,
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? value : category,
    yAxis: opts.horizontal ? category : value,
    series: [{ type: 'bar', name: opts.name ?? '', data: values, barMaxWidth: 32 }],
  };
}

export function pieOption(items: { name: string; value: number }[]) {
  return {
    color: RED,
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['35%', '65%'], data: items, label: { formatter: '{b}: {c}' } }],
  };
}

export function lineOption(months: string[], series: { name: string; values: number[] }[]) {
  return {
    color: RED,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, smooth: true })),
  };
}

/**
 * The per-step funnel as horizontal bars, first step on top: how many reached, answered and gave up at each
 * step. Bars read better than a funnel shape once a flow has more than a handful of steps.
 */
export function funnelOption(steps: { label: string; reached: number; answered: number; gaveUp: number }[], names: { reached: string; answered: string; gaveUp: string }) {
  const ordered = [...steps].reverse();
  return {
    color: ['#c8161d', '#e6a23c', '#909399'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: ordered.map((s) => s.label), axisLabel: { width: 110, overflow: 'truncate' } },
    series: (['reached', 'answered', 'gaveUp'] as const).map((k) => ({ type: 'bar', name: names[k], data: ordered.map((s) => s[k]), barMaxWidth: 10 })),
  };
}

/** Room for every step's bars: the chart grows with the flow. */
export function funnelHeight(stepCount: number): number {
  return Math.max(240, 60 + stepCount * 34);
}

/** True when the trend has nothing to draw: no month of it saw an application declared, certified, returned or rejected. */
export function trendIsEmpty(rows: readonly { declared: number; certified: number; returned: number; rejected: number }[]): boolean {
  return rows.every((r) => r.declared + r.certified + r.returned + r.rejected === 0);
}
