// The over-time chart: ECharts, tree-shaken to a line chart, in its own lazily loaded chunk.
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface SeriesPoint {
  label: string;
  clicks: number;
  customers: number;
  revenue: number;
}

export default function OverTimeChart(props: {
  points: SeriesPoint[];
  names: { clicks: string; customers: string; revenue: string };
  title: string;
}) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 56, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: props.points.map((p) => p.label) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', position: 'right' },
      ],
      series: [
        { name: props.names.clicks, type: 'line', data: props.points.map((p) => p.clicks) },
        { name: props.names.customers, type: 'line', data: props.points.map((p) => p.customers) },
        {
          name: props.names.revenue,
          type: 'line',
          yAxisIndex: 1,
          data: props.points.map((p) => p.revenue),
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [props.points, props.names]);

  return (
    <div ref={ref} role="img" aria-label={props.title} style={{ width: '100%', height: 280 }} />
  );
}
