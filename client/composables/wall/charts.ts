// ECharts options of the wall's panels, built from the server's WallStats (never from the log).
// Pure: the values in, an option out; font sizes and widths follow the wall's scale `k`.
import type { BarSeriesOption, FunnelSeriesOption, GaugeSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { WallStats } from '../../../shared/wall.js';

export type WallChartOption = ComposeOption<
  BarSeriesOption | FunnelSeriesOption | GaugeSeriesOption | LineSeriesOption
  | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TooltipComponentOption
>;

export const C = {
  text: '#d8ecff',
  dim: '#8fb0cf',
  axis: 'rgba(31, 182, 255, 0.35)',
  split: 'rgba(31, 182, 255, 0.10)',
  cyan: '#3ee7ff',
  teal: '#19d3c5',
  blue: '#2f6bff',
  red: '#e5484d',
  orange: '#f76b15',
  yellow: '#ffc53d',
  green: '#3ddc97',
} as const;

const FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif";

const axisLabel = (k: number) => ({ color: C.dim, fontSize: Math.round(14 * k), fontFamily: FONT });
const grid = (k: number, extra: Partial<GridComponentOption> = {}): GridComponentOption => ({
  left: 8 * k, right: 16 * k, top: 34 * k, bottom: 6 * k, containLabel: true, ...extra,
});
const tooltip = (k: number): TooltipComponentOption => ({
  trigger: 'axis', backgroundColor: 'rgba(5, 17, 42, 0.95)', borderColor: C.cyan, textStyle: { color: C.text, fontSize: Math.round(14 * k) },
});
const legend = (k: number, data: string[]): LegendComponentOption => ({
  top: 0, right: 8 * k, data, textStyle: { color: C.text, fontSize: Math.round(14 * k), fontFamily: FONT }, itemWidth: 18 * k, itemHeight: 10 * k,
});

type Label = (key: string, named?: Record<string, unknown>) => string;

/** Incidents per hour today (bars) against the 7-day mean (line); hours not begun stay empty. */
export function hourlyOption(s: WallStats | null, k: number, t: Label): WallChartOption {
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  const today = s?.hourly.today ?? Array<number | null>(24).fill(null);
  const baseline = s?.hourly.baseline.map((v) => Math.round(v * 10) / 10) ?? Array<number>(24).fill(0);
  const baselineDays = s?.hourly.baselineDays ?? 0;
  // without a single earlier day there is no baseline to draw (not a line of zeros)
  const names = [t('wall.chart.today'), baselineDays > 0 ? t('wall.chart.baseline', { n: baselineDays }) : t('wall.chart.noBaseline')];
  return {
    grid: grid(k), tooltip: tooltip(k), legend: legend(k, names),
    xAxis: { type: 'category', data: hours, axisLabel: { ...axisLabel(k), interval: 3 }, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisLabel(k), splitLine: { lineStyle: { color: C.split } } },
    series: [
      { name: names[0], type: 'bar', data: today, barWidth: '58%', itemStyle: { color: C.cyan, borderRadius: [2 * k, 2 * k, 0, 0] } },
      { name: names[1], type: 'line', data: baselineDays > 0 ? baseline : [], smooth: true, symbol: 'none', lineStyle: { color: C.yellow, width: 2 * k, type: 'dashed' } },
    ],
  };
}

/** Today's incidents by category, largest first (top 8), as horizontal bars. */
export function categoryOption(s: WallStats | null, k: number, name: (code: string) => string): WallChartOption {
  const rows = (s?.categories ?? []).slice(0, 8).reverse();
  return {
    grid: grid(k, { top: 6 * k, right: 40 * k }), tooltip: { ...tooltip(k), axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1, axisLabel: axisLabel(k), splitLine: { lineStyle: { color: C.split } } },
    yAxis: { type: 'category', data: rows.map((r) => name(r.category)), axisLabel: { ...axisLabel(k), color: C.text }, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    series: [{
      type: 'bar', data: rows.map((r) => r.count), barWidth: '56%',
      itemStyle: { color: C.teal, borderRadius: [0, 2 * k, 2 * k, 0] },
      label: { show: true, position: 'right', color: C.text, fontSize: Math.round(14 * k) },
    }],
  };
}

/** Bucket labels: "≤5分", "5–8分", "＞20分". */
export function bucketLabels(buckets: WallStats['responseTimes']['buckets'], t: Label): string[] {
  let prev = 0;
  return buckets.map((b) => {
    if (b.upToSeconds === null) return t('wall.chart.over', { m: Math.round(prev / 60) });
    const label = prev === 0 ? t('wall.chart.upTo', { m: Math.round(b.upToSeconds / 60) }) : `${Math.round(prev / 60)}–${Math.round(b.upToSeconds / 60)}′`;
    prev = b.upToSeconds;
    return label;
  });
}

/** First arrivals today per bucket; buckets past the target red, the target marked. */
export function responseOption(s: WallStats | null, k: number, t: Label): WallChartOption {
  const r = s?.responseTimes;
  const buckets = r?.buckets ?? [];
  const labels = bucketLabels(buckets, t);
  const target = r?.targetSeconds ?? 0;
  // the target falls at the end of the last bucket whose bound is within it
  let targetIdx = -1;
  buckets.forEach((b, i) => {
    if (b.upToSeconds !== null && b.upToSeconds <= target) targetIdx = i;
  });
  return {
    grid: grid(k, { top: 30 * k }), tooltip: { ...tooltip(k), axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: labels, axisLabel: { ...axisLabel(k), interval: 0 }, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisLabel(k), splitLine: { lineStyle: { color: C.split } } },
    series: [{
      type: 'bar', barWidth: '62%',
      data: buckets.map((b, i) => ({ value: b.count, itemStyle: { color: i > targetIdx ? C.red : C.green } })),
      markLine: targetIdx >= 0 ? {
        symbol: 'none', silent: true,
        lineStyle: { color: C.yellow, width: 2 * k, type: 'dashed' },
        label: { formatter: t('wall.chart.target', { m: Math.round(target / 60) }), color: C.yellow, fontSize: Math.round(14 * k), position: 'end' },
        data: [{ xAxis: targetIdx + 0.5 }],
      } : undefined,
    }],
  };
}

/** The "4+2" workflow: open disputes per stage, resolved/closed in the last 30 days. */
export function funnelOption(s: WallStats | null, k: number, stageName: (stage: string) => string): WallChartOption {
  const rows = s?.disputeFunnel ?? [];
  const colors = [C.cyan, '#33c3ff', C.blue, '#6a5cff', C.teal, C.green];
  return {
    tooltip: { ...tooltip(k), trigger: 'item' },
    series: [{
      type: 'funnel', sort: 'none', left: '4%', right: '4%', top: 4 * k, bottom: 4 * k, minSize: '22%', gap: 2 * k,
      label: { show: true, position: 'inside', color: '#04122a', fontSize: Math.round(14 * k), fontWeight: 'bold', formatter: '{b} {c}' },
      data: rows.map((r, i) => ({ name: stageName(r.stage), value: r.count, itemStyle: { color: colors[i % colors.length], borderWidth: 0 } })),
    }],
  };
}

/** Districts by crime risk, highest on top. */
export function districtOption(s: WallStats | null, k: number, t: Label): WallChartOption {
  const rows = (s?.districtRisk ?? []).slice(0, 10).reverse();
  const max = Math.max(0, ...rows.map((r) => r.crimeRisk));
  return {
    grid: grid(k, { top: 6 * k, right: 52 * k }), tooltip: { ...tooltip(k), axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', axisLabel: { ...axisLabel(k), show: false }, splitLine: { lineStyle: { color: C.split } } },
    yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { ...axisLabel(k), color: C.text }, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    series: [{
      type: 'bar', name: t('wall.chart.crimeRisk'), barWidth: '56%',
      data: rows.map((r) => ({
        // expected reports per day in the district: 3 significant digits (small districts are well under 1)
        value: Number(r.crimeRisk.toPrecision(3)),
        itemStyle: { color: max > 0 && r.crimeRisk >= max * 0.75 ? C.red : max > 0 && r.crimeRisk >= max * 0.5 ? C.orange : C.cyan },
      })),
      label: { show: true, position: 'right', color: C.text, fontSize: Math.round(14 * k) },
    }],
  };
}

/** Patrol coverage of the top-risk cells: a gauge of the covered share. */
export function coverageOption(s: WallStats | null, k: number, t: Label): WallChartOption {
  const rate = s?.coverage.rate ?? null;
  const v = rate === null ? 0 : Math.round(rate * 100);
  return {
    series: [{
      type: 'gauge', min: 0, max: 100, radius: '92%', center: ['50%', '58%'], startAngle: 210, endAngle: -30, splitNumber: 4,
      progress: { show: true, width: 12 * k, itemStyle: { color: v >= 80 ? C.green : v >= 50 ? C.yellow : C.red } },
      axisLine: { lineStyle: { width: 12 * k, color: [[1, 'rgba(31, 182, 255, 0.15)']] } },
      axisTick: { show: false }, splitLine: { length: 6 * k, lineStyle: { color: C.axis, width: 1 } },
      axisLabel: { show: false },
      pointer: { show: false }, anchor: { show: false },
      title: { show: true, offsetCenter: [0, '62%'], color: C.dim, fontSize: Math.round(14 * k) },
      detail: { valueAnimation: false, offsetCenter: [0, '0%'], formatter: rate === null ? '—' : '{value}%', color: C.text, fontSize: Math.round(30 * k), fontWeight: 'bold' },
      data: [{ value: v, name: t('wall.chart.covered', { c: s?.coverage.covered ?? 0, n: s?.coverage.topCells ?? 0 }) }],
    }],
  };
}
