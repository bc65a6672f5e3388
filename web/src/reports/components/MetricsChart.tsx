// The reports' charts: ECharts, tree-shaken to line and bar charts, in their own lazily loaded
// chunk. Lines over time on a campaign's report; horizontal bars side by side on the comparison
// (one row per campaign, its name left of its bars, readable at 390 px).
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface ChartSeries {
  name: string;
  data: number[];
  /** Lines only: the right-hand axis, for a series of another unit (money beside counts). */
  right?: boolean;
}

function option(kind: 'line' | 'bar', categories: string[], series: ChartSeries[]) {
  const common = { animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 } };
  if (kind === 'bar') {
    return {
      ...common,
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'value' },
      yAxis: {
        type: 'category',
        inverse: true,
        data: categories,
        axisLabel: { width: 120, overflow: 'truncate' },
      },
      series: series.map((s) => ({ name: s.name, type: 'bar', data: s.data })),
    };
  }
  return {
    ...common,
    grid: { left: 48, right: 56, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: categories },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', position: 'right' },
    ],
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      yAxisIndex: s.right ? 1 : 0,
      data: s.data,
    })),
  };
}

export default function MetricsChart(props: {
  kind: 'line' | 'bar';
  categories: string[];
  series: ChartSeries[];
  title: string;
}) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg' });
    chart.setOption(option(props.kind, props.categories, props.series));
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [props.kind, props.categories, props.series]);

  const height = props.kind === 'bar' ? 64 + 44 * props.categories.length : 280;
  return <div ref={ref} role="img" aria-label={props.title} style={{ width: '100%', height }} />;
}
