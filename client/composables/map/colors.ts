import type { UnitStatus } from '../../../shared/events.js';

/** Priority colours, fixed and colour-blind safe (DESIGN §9); always paired with the digit. */
export const PRIORITY_COLORS: Readonly<Record<1 | 2 | 3 | 4, string>> = {
  1: '#e5484d',
  2: '#f76b15',
  3: '#ffc53d',
  4: '#3e9bff',
};
/** The digit's colour on each priority's fill, for contrast. */
export const PRIORITY_TEXT: Readonly<Record<1 | 2 | 3 | 4, string>> = { 1: '#ffffff', 2: '#1a0a00', 3: '#1a1200', 4: '#ffffff' };
/** Marker radius per priority: the most urgent are the largest. */
export const PRIORITY_RADIUS: Readonly<Record<1 | 2 | 3 | 4, number>> = { 1: 12, 2: 10, 3: 9, 4: 8.5 };

export const asPriority = (p: number): 1 | 2 | 3 | 4 => (p <= 1 ? 1 : p >= 4 ? 4 : (p as 2 | 3));

/** Unit status colours; units are arrows (shape), incidents circles, so hues may repeat across them. */
export const UNIT_STATUS_COLORS: Readonly<Record<UnitStatus, string>> = {
  available: '#3ddc97',
  dispatched: '#b18cff',
  en_route: '#4cc9f0',
  on_scene: '#ff7eb6',
  busy: '#e9edf2',
  off_duty: '#5b6b82', // drawn hollow
};
/** A unit whose last fix is older than 2 minutes. */
export const STALE_COLOR = '#9aa1ab';

/** Faint fills that tell the districts apart on the navy background. */
export const DISTRICT_FILLS = ['#0fb5c9', '#2f6bff', '#18a0a0', '#6a5cff', '#1597e5', '#12b886', '#4f7cff', '#0ca5a5'];

/** Base-map strokes, from the city's outline down to the grids' hairlines. */
export const BASE = {
  city: { color: '#7cf6ff', weight: 3.5, glow: 14 },
  district: { color: '#33e1ff', weight: 2.5, glow: 9, fillOpacity: 0.13 },
  street: { color: '#3cb8ec', weight: 1.8, opacity: 0.85 },
  community: { color: '#2f86b8', weight: 1, opacity: 0.75 },
  grid: { color: '#2a6088', weight: 0.6, opacity: 0.7, dashArray: '3 3' },
} as const;
