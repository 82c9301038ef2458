/**
 * A chart's life in a component: drawn on mount, redrawn when the option changes, resized with its box, disposed
 * on unmount. `init` comes from the caller's own ECharts build, so each page loads only the chart types it draws;
 * it may be a promise of one (`{ loading }`), for a page that fetches its data while ECharts is still downloading.
 */
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { EChartsCoreOption, init as echartsInit } from 'echarts/core';

type Init = typeof echartsInit;

export function useChart(el: Ref<HTMLDivElement | undefined>, option: () => EChartsCoreOption, init: Init | { loading: Promise<Init> }): void {
  let chart: ReturnType<Init> | undefined;
  let observer: ResizeObserver | undefined;
  let unmounted = false;
  const draw = (make: Init) => {
    if (!el.value || unmounted) return;
    performance.mark('rc:chart-init');
    chart = make(el.value, undefined, { renderer: 'canvas' });
    // Marks for timing the page (bench:console): the first frame painted, and the drawing (with its animation) done.
    const box = el.value;
    chart.on('rendered', () => {
      if (!box.hasAttribute('data-rendered')) performance.mark('rc:chart-rendered');
      box.setAttribute('data-rendered', '');
    });
    chart.on('finished', () => box.setAttribute('data-finished', ''));
    chart.setOption(option());
    performance.mark('rc:chart-option-set');
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value);
  };
  onMounted(() => {
    if (typeof init === 'function') draw(init);
    else void init.loading.then(draw);
  });
  watch(option, (o) => chart?.setOption(o, true));
  onBeforeUnmount(() => {
    unmounted = true;
    observer?.disconnect();
    chart?.dispose();
  });
}
