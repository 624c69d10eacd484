// The leader view's trend chart (issue 9): an indicator's daily series over the chosen window with
// its target as a dashed line. Pure: the values in, an ECharts option out (drawn by WallChart).
import type { LeaderIndicatorValues } from '../../../shared/leader.js';
import { C, type WallChartOption } from '../../composables/wall/charts.js';
import { chartValue, lastPoints, seriesDays, type Window } from './model.js';

const FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif";

export function trendOption(ind: LeaderIndicatorValues | null, firstDay: string, w: Window, names: { value: string; target: string }): WallChartOption {
  const days = ind ? lastPoints(seriesDays(firstDay, ind.series.length), w).map((d) => d.slice(5)) : [];
  const values = ind ? lastPoints(ind.series, w).map((v) => chartValue(ind.id, v)) : [];
  const target = ind ? chartValue(ind.id, ind.target) : null;
  const rate = ind?.id !== 'satisfaction';
  const axisLabel = { color: C.dim, fontSize: 14, fontFamily: FONT };
  return {
    grid: { left: 8, right: 24, top: 36, bottom: 6, containLabel: true },
    tooltip: { trigger: 'axis', backgroundColor: 'rgba(5, 17, 42, 0.95)', borderColor: C.cyan, textStyle: { color: C.text, fontSize: 14 } },
    legend: { top: 0, right: 8, data: [names.value, names.target], textStyle: { color: C.text, fontSize: 14, fontFamily: FONT } },
    xAxis: { type: 'category', data: days, axisLabel, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    yAxis: {
      type: 'value', min: rate ? 0 : 1, max: rate ? 100 : 5, axisLabel: { ...axisLabel, formatter: rate ? '{value}%' : '{value}' },
      splitLine: { lineStyle: { color: C.split } },
    },
    series: [
      {
        name: names.value, type: 'line', data: values, connectNulls: false, symbol: 'circle', symbolSize: w > 30 ? 3 : 6,
        lineStyle: { color: C.cyan, width: 2 }, itemStyle: { color: C.cyan },
      },
      {
        name: names.target, type: 'line', data: days.map(() => target), symbol: 'none',
        lineStyle: { color: C.yellow, width: 2, type: 'dashed' }, itemStyle: { color: C.yellow },
      },
    ],
  };
}

const PRIORITY_COLORS = [C.red, C.orange, C.yellow, C.blue] as const;

/**
 * The replay chart: incidents reported per bucket of the window, stacked by priority, with the open
 * incidents as a line — both only up to the replay instant (`open` null beyond it).
 */
export function replayOption(
  series: { reported: number[][]; open: (number | null)[] }, buckets: string[], names: { priorities: string[]; open: string },
): WallChartOption {
  const axisLabel = { color: C.dim, fontSize: 13, fontFamily: FONT };
  return {
    grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
    tooltip: { trigger: 'axis', backgroundColor: 'rgba(5, 17, 42, 0.95)', borderColor: C.cyan, textStyle: { color: C.text, fontSize: 14 } },
    legend: { top: 0, right: 8, data: [...names.priorities, names.open], textStyle: { color: C.text, fontSize: 13, fontFamily: FONT }, itemWidth: 14, itemHeight: 8 },
    xAxis: { type: 'category', data: buckets, axisLabel, axisLine: { lineStyle: { color: C.axis } }, axisTick: { show: false } },
    yAxis: { type: 'value', minInterval: 1, axisLabel, splitLine: { lineStyle: { color: C.split } } },
    series: [
      ...series.reported.map((data, p) => ({
        name: names.priorities[p]!, type: 'bar' as const, stack: 'reported', data, barMaxWidth: 18, itemStyle: { color: PRIORITY_COLORS[p]! },
      })),
      { name: names.open, type: 'line', data: series.open, symbol: 'circle', symbolSize: 5, lineStyle: { color: C.cyan, width: 2 }, itemStyle: { color: C.cyan } },
    ],
  };
}
