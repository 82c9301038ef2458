/**
 * The dashboard's ECharts build, fetched once on demand. Importing this file costs nothing: the chunk (≈ 180 KB
 * brotli) downloads when a chart first asks, so a page starts its API calls without waiting for it.
 */
import type { init } from 'echarts/core';

let loading: Promise<typeof init> | undefined;

export function loadCharts(): Promise<typeof init> {
  // The mark says when ECharts' code had run (bench:console prints the page's timeline).
  loading ??= import('./echarts.ts').then((m) => (performance.mark('rc:charts-loaded'), m.init));
  return loading;
}
