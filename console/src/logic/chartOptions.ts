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

/** A funnel of how many reached each step, in flow order (sort: 'none' keeps that order). */
export function funnelOption(steps: { label: string; reached: number }[]) {
  return {
    color: RED,
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        minSize: '10%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: steps.map((s) => ({ name: s.label, value: s.reached })),
      },
    ],
  };
}
