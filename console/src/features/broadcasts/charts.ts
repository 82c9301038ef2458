/** Chart options of the broadcast pages; plain numbers in, plain ECharts objects out. */
import type { DeliveryState, Reach } from './types.ts';

const REACH_COLORS: Record<Reach, string> = { window: '#67c23a', template: '#409eff', subscribe: '#e6a23c', direct: '#c8161d', none: '#909399' };
export const STATE_COLORS: Record<DeliveryState, string> = { pending: '#c0c4cc', sending: '#409eff', sent: '#67c23a', failed: '#c8161d', skipped: '#e6a23c', unknown: '#8c1c13' };

/** Recipients per channel as horizontal bars stacked by how each can be reached. */
export function reachOption(rows: ({ channel: string } & Record<Reach, number>)[], reach: readonly Reach[], names: Record<Reach, string>) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => r.channel) },
    series: reach.map((r) => ({ type: 'bar', stack: 'reach', name: names[r], color: REACH_COLORS[r], data: rows.map((row) => row[r]), barMaxWidth: 28 })),
  };
}

export function answersOption(items: { name: string; value: number }[]) {
  return {
    color: ['#c8161d', '#e6a23c', '#909399'],
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: items.map((i) => i.name) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: items.map((i, n) => ({ value: i.value, itemStyle: { color: ['#c8161d', '#e6a23c', '#909399'][n] } })), barMaxWidth: 40 }],
  };
}

export function chartHeight(rows: number): number {
  return Math.max(180, 70 + rows * 40);
}
