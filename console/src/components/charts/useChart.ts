/**
 * A chart's life in a component: drawn on mount, redrawn when the option changes, resized with its box, disposed
 * on unmount. `init` comes from the caller's own ECharts build, so each page loads only the chart types it draws.
 */
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { EChartsCoreOption, init as echartsInit } from 'echarts/core';

export function useChart(el: Ref<HTMLDivElement | undefined>, option: () => EChartsCoreOption, init: typeof echartsInit): void {
  let chart: ReturnType<typeof echartsInit> | undefined;
  let observer: ResizeObserver | undefined;
  onMounted(() => {
    if (!el.value) return;
    chart = init(el.value, undefined, { renderer: 'canvas' });
    // Marks for timing the page (bench:console): the first frame painted, and the drawing (with its animation) done.
    const box = el.value;
    chart.on('rendered', () => box.setAttribute('data-rendered', ''));
    chart.on('finished', () => box.setAttribute('data-finished', ''));
    chart.setOption(option());
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value);
  });
  watch(option, (o) => chart?.setOption(o, true));
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart?.dispose();
  });
}
