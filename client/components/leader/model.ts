// Pure helpers of the leader view (issue 9): the scope's breadcrumb and drill-down level from the
// jurisdiction tree, the jurisdiction under a map click (point in polygon), a geometry's bounds,
// the CSV of what is on screen (UTF-8 BOM, RFC 4180 quoting), and how indicator values and their
// targets read. No Vue, no Leaflet, no ECharts: tested on fixed data (tests/unit/leader-view.test.ts).
import type { LeaderIndicator, LeaderIndicatorValues, RankingBy, RankingRow } from '../../../shared/leader.js';
import { pointInRing } from '../../../shared/geometry.js';
import type { AreaGeometry, JurisdictionFeature, JurisdictionProps, Level } from '../../../shared/jurisdiction.js';

const LEVEL_ORDER: readonly Level[] = ['city', 'district', 'street', 'community', 'grid'];

/** The level one below (city → district … community → grid); null under a grid. */
export function levelBelow(level: Level): Level | null {
  const i = LEVEL_ORDER.indexOf(level);
  return i < 0 || i >= LEVEL_ORDER.length - 1 ? null : LEVEL_ORDER[i + 1]!;
}

/** The rankings' level for a scope: the level below it, a grid's own level at the bottom. */
export const rankingLevel = (level: Level): Exclude<Level, 'city'> => (levelBelow(level) ?? 'grid') as Exclude<Level, 'city'>;

export interface Crumb { id: string; name: string; level: Level }

/**
 * The chain from the top of the tree down to `scope` (city first), stopping at `root` when given
 * (a user scoped to a district does not see the city above it). Empty for an unknown scope.
 */
export function breadcrumb(byId: ReadonlyMap<string, JurisdictionProps>, scope: string | null, root: string | null = null): Crumb[] {
  const out: Crumb[] = [];
  let id: string | null = scope;
  for (let guard = 0; id !== null && guard < 10; guard++) {
    const p = byId.get(id);
    if (!p) return [];
    out.unshift({ id: p.id, name: p.name, level: p.level });
    if (p.id === root) break;
    id = p.parentId;
  }
  return out;
}

/** The scope a user starts in: their only scope, else the top of the tree (the city). */
export function rootScope(byId: ReadonlyMap<string, JurisdictionProps>, userScopes: readonly string[]): string | null {
  if (userScopes.length === 1 && byId.has(userScopes[0]!)) return userScopes[0]!;
  for (const p of byId.values()) if (p.parentId === null || p.level === 'city') return p.id;
  return null;
}

/** True when `scope` lies under `root` (or is it). */
export function isUnder(byId: ReadonlyMap<string, JurisdictionProps>, scope: string, root: string): boolean {
  let id: string | null = scope;
  for (let guard = 0; id !== null && guard < 10; guard++) {
    if (id === root) return true;
    id = byId.get(id)?.parentId ?? null;
  }
  return false;
}

/** A point inside a Polygon or MultiPolygon (outer ring in, holes out). */
export function pointInGeometry(g: AreaGeometry, lon: number, lat: number): boolean {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polygons.some((rings) => rings.length > 0 && pointInRing(rings[0]!, lon, lat) && !rings.slice(1).some((hole) => pointInRing(hole, lon, lat)));
}

/** The child of `parentId` under a point, or null (a click outside every child). */
export function childAt(features: readonly JurisdictionFeature[], parentId: string, lon: number, lat: number): JurisdictionFeature | null {
  for (const f of features) if (f.properties.parentId === parentId && pointInGeometry(f.geometry, lon, lat)) return f;
  return null;
}

export type Bounds = [[number, number], [number, number]];

/** [[south, west], [north, east]] of a geometry. */
export function boundsOf(g: AreaGeometry): Bounds {
  let s = Infinity;
  let w = Infinity;
  let n = -Infinity;
  let e = -Infinity;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const rings of polygons) for (const ring of rings) for (const p of ring) {
    const [lon, lat] = p as [number, number];
    if (lat < s) s = lat;
    if (lat > n) n = lat;
    if (lon < w) w = lon;
    if (lon > e) e = lon;
  }
  return [[s, w], [n, e]];
}

// --- CSV ---

/** One CSV field: quoted when it holds a comma, a quote, a line break or leading/trailing space; formula starts are defused. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // a spreadsheet would run `=…`, `+…`, `-…`, `@…` as a formula (numbers stay numbers)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document: UTF-8 byte order mark (Excel reads the Chinese right), CRLF line ends. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

// --- indicators ---

export type Window = 7 | 30 | 90;
export const WINDOWS: readonly Window[] = [7, 30, 90];
export const RATE_INDICATORS: ReadonlySet<LeaderIndicator> = new Set(['onTimeArrival', 'onTimeResolution', 'repeatRate', 'coverage']);

/** A value as read: rates in percent with one decimal, satisfaction with two; null stays null (no invented numbers). */
export function formatIndicator(id: LeaderIndicator, v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return RATE_INDICATORS.has(id) ? `${(Math.round(v * 1000) / 10).toFixed(1)}%` : v.toFixed(2);
}

export type TargetState = 'met' | 'unmet' | 'none';

/** Against its target: met, not met, or nothing to judge (no value). */
export const targetState = (meets: boolean | null | undefined): TargetState => (meets === true ? 'met' : meets === false ? 'unmet' : 'none');

/** The icon paired with the colour of a target state (readable without colour vision). */
export const TARGET_ICON: Readonly<Record<TargetState, string>> = { met: '✓', unmet: '✕', none: '—' };

/** The comparison a target reads with: ≥ for a minimum, ≤ for a maximum (repeat rate). */
export const targetSign = (direction: 'min' | 'max') => (direction === 'max' ? '≤' : '≥');

/** An indicator's values over a window. */
export const windowOf = (ind: LeaderIndicatorValues, w: Window) => (w === 7 ? ind.d7 : w === 30 ? ind.d30 : ind.d90);

/** The local dates of a series, `firstDay` first, one per point. */
export function seriesDays(firstDay: string, n: number): string[] {
  const start = Date.parse(`${firstDay}T12:00:00Z`);
  if (!Number.isFinite(start)) return Array.from({ length: n }, () => '');
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** The last `w` points of a series and their dates (the trend of the chosen window). */
export function lastPoints<T>(xs: readonly T[], w: number): T[] {
  return xs.slice(Math.max(0, xs.length - w));
}

/** True when a series has no value at all (the chart shows its overlay). */
export const seriesEmpty = (xs: readonly (number | null)[]) => xs.every((x) => x === null);

/** A series point for the chart: rates as percent. */
export const chartValue = (id: LeaderIndicator, v: number | null) => (v === null ? null : RATE_INDICATORS.has(id) ? Math.round(v * 1000) / 10 : Math.round(v * 100) / 100);

// --- rankings ---

/** The value a row is ranked by; null when the area has none. */
export function rankingValue(row: RankingRow, by: RankingBy): number | null {
  return by === 'crime' ? row.crimeRisk : by === 'instability' ? row.instabilityRisk : row.overdue;
}

/** A risk value as shown (two decimals), null as null. */
export const formatRisk = (v: number | null) => (v === null ? null : (Math.round(v * 100) / 100).toFixed(2));

/** A ranking row as the table and the CSV show it (`label`: a driver's name, the id when it is no place): rank, name, crime, instability, hot cells, overdue, drivers, overdue cases. */
export function rankingCells(row: RankingRow, noData: string, label: (id: string) => string = (id) => id): string[] {
  return [
    row.rank === null ? '—' : String(row.rank), row.name, formatRisk(row.crimeRisk) ?? noData, formatRisk(row.instabilityRisk) ?? noData,
    String(row.hotCells), String(row.overdue), row.drivers.map(label).join(' '), row.overdueCases.join(' '),
  ];
}

/** `dispute:D-1` → ['dispute', 'D-1'] (null for anything else). */
export function parseCaseRef(ref: string): ['dispute' | 'petition', string] | null {
  const i = ref.indexOf(':');
  const kind = ref.slice(0, i);
  return (kind === 'dispute' || kind === 'petition') && i < ref.length - 1 ? [kind, ref.slice(i + 1)] : null;
}

/** Today's local date (YYYY-MM-DD) in a zone. */
export function localDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** A safe file-name part. */
export const fileSafe = (s: string) => s.replace(/[^\w.-]+/g, '_');
