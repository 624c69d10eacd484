// Pure helpers of the wall screen (issue 8): the takeover queue, the scene list from the
// jurisdiction tree, KPI formatting and deltas, the ticker's cap, the wall's URL settings.
// No Vue, no DOM: unit-tested in tests/unit/wall-*.test.ts.

// --- takeover queue ---

export interface Takeover {
  /** `incident:<id>` or `alert:<id>`: one takeover per object */
  key: string;
  kind: 'incident' | 'alert';
  id: string;
  /** when it started showing (ms), null while queued */
  shownAt: number | null;
}

export interface TakeoverQueue {
  current: Takeover | null;
  queued: Takeover[];
  /** every key ever enqueued (a re-announced object does not take the front twice) */
  seen: Set<string>;
}

/** How long a takeover holds the front. */
export const TAKEOVER_MS = 8000;
/** Waiting takeovers beyond this are dropped, oldest first (a burst must not hold the wall for minutes). */
export const TAKEOVER_MAX_QUEUED = 10;

export const emptyQueue = (): TakeoverQueue => ({ current: null, queued: [], seen: new Set() });

/** Adds a takeover unless its object already had one; answers true when it was added. */
export function enqueue(q: TakeoverQueue, t: Omit<Takeover, 'shownAt' | 'key'>, now: number): boolean {
  const key = `${t.kind}:${t.id}`;
  if (q.seen.has(key)) return false;
  q.seen.add(key);
  const item: Takeover = { ...t, key, shownAt: null };
  if (q.current === null) q.current = { ...item, shownAt: now };
  else {
    q.queued.push(item);
    while (q.queued.length > TAKEOVER_MAX_QUEUED) q.queued.shift();
  }
  return true;
}

/** Moves on when the current takeover has held the front long enough; answers true when it changed. */
export function advance(q: TakeoverQueue, now: number, holdMs = TAKEOVER_MS): boolean {
  if (q.current === null || q.current.shownAt === null || now - q.current.shownAt < holdMs) return false;
  const next = q.queued.shift();
  q.current = next ? { ...next, shownAt: now } : null;
  return true;
}

/** Ends the current takeover now (dismissed by hand). */
export function dismiss(q: TakeoverQueue, now: number): void {
  if (q.current) q.current.shownAt = now - Number.MAX_SAFE_INTEGER / 2;
  advance(q, now);
}

/** Objects first seen after the page loaded, but older than this, were missed while away: no takeover. */
export const TAKEOVER_FRESH_MS = 10 * 60_000;

/** True when an object created at `createdAt` is new enough to take the front. */
export function freshEnough(createdAt: string, now: number, windowMs = TAKEOVER_FRESH_MS): boolean {
  const t = Date.parse(createdAt);
  return Number.isFinite(t) && now - t <= windowMs;
}

// --- scenes ---

export type Bounds = [[number, number], [number, number]];

export interface Scene {
  kind: 'city' | 'district' | 'hotspots';
  /** the jurisdiction the panels follow (null: the city, i.e. the user's own scope) */
  scope: string | null;
  /** district name; empty for the city and the hotspots (the view names them) */
  name: string;
  bounds: Bounds | null;
}

interface TreeFeature {
  properties: { id: string; level: string; name: string; parentId?: string | null };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

/** The [[south, west], [north, east]] box of a polygon's coordinates ([lon, lat] pairs). */
export function boundsOf(geometry: TreeFeature['geometry']): Bounds | null {
  let s = Infinity;
  let w = Infinity;
  let n = -Infinity;
  let e = -Infinity;
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    if (typeof v[0] === 'number' && typeof v[1] === 'number') {
      const [lon, lat] = v as [number, number];
      s = Math.min(s, lat);
      n = Math.max(n, lat);
      w = Math.min(w, lon);
      e = Math.max(e, lon);
      return;
    }
    for (const x of v) walk(x);
  };
  walk(geometry.coordinates);
  return Number.isFinite(s) ? [[s, w], [n, e]] : null;
}

/** The box around several boxes, or null. */
export function unionBounds(list: readonly (Bounds | null)[]): Bounds | null {
  const b = list.filter((x): x is Bounds => x !== null);
  if (!b.length) return null;
  return [
    [Math.min(...b.map((x) => x[0][0])), Math.min(...b.map((x) => x[0][1]))],
    [Math.max(...b.map((x) => x[1][0])), Math.max(...b.map((x) => x[1][1]))],
  ];
}

/**
 * The rotation: the city, then each district (by name, in the collator's order), then the
 * hotspots (the top-risk cells' box) when there are any. `hotCells`: grid ids, hottest first.
 */
export function buildScenes(features: readonly TreeFeature[], hotCells: readonly string[] = [], maxHot = 12): Scene[] {
  const city = features.find((f) => f.properties.level === 'city');
  const districts = features.filter((f) => f.properties.level === 'district')
    .sort((a, b) => a.properties.name.localeCompare(b.properties.name, 'zh-CN') || (a.properties.id < b.properties.id ? -1 : 1));
  const scenes: Scene[] = [{
    kind: 'city', scope: null, name: city?.properties.name ?? '',
    bounds: city ? boundsOf(city.geometry) : unionBounds(districts.map((d) => boundsOf(d.geometry))),
  }];
  for (const d of districts) scenes.push({ kind: 'district', scope: d.properties.id, name: d.properties.name, bounds: boundsOf(d.geometry) });
  if (hotCells.length) {
    const byId = new Map(features.map((f) => [f.properties.id, f]));
    const boxes = hotCells.slice(0, maxHot).map((id) => byId.get(id)).filter((f): f is TreeFeature => f !== undefined).map((f) => boundsOf(f.geometry));
    const bounds = unionBounds(boxes);
    if (bounds) scenes.push({ kind: 'hotspots', scope: null, name: '', bounds });
  }
  return scenes;
}

// --- KPIs ---

export type Tone = 'ok' | 'warn' | 'bad' | 'none';

/** "今日" against "昨日同时段": the signed difference and its text ("+3", "−2", "±0"). */
export function delta(today: number, before: number): { diff: number; text: string; tone: Tone } {
  const diff = today - before;
  const text = diff > 0 ? `+${diff}` : diff < 0 ? `−${Math.abs(diff)}` : '±0';
  return { diff, text, tone: diff > 0 ? 'warn' : 'ok' };
}

/** Seconds as m:ss (or h:mm:ss); "—" when there is no value. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A value against its target: red when over, green within, none without a value. */
export function againstTarget(value: number | null | undefined, target: number): Tone {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'none';
  return value > target ? 'bad' : 'ok';
}

/** A rate 0..1 as a whole percentage; "—" without one. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '—' : `${Math.round(rate * 100)}%`;
}

/** Hours with one decimal; "—" without a value. */
export function formatHours(h: number | null | undefined): string {
  return h === null || h === undefined || !Number.isFinite(h) ? '—' : h.toFixed(1);
}

/** The on-time rate's tone: ≥ 90% ok, ≥ 75% warn, below bad. */
export function rateTone(rate: number | null | undefined): Tone {
  if (rate === null || rate === undefined) return 'none';
  return rate >= 0.9 ? 'ok' : rate >= 0.75 ? 'warn' : 'bad';
}

// --- ticker ---

/** The alert ticker keeps 200 items (DESIGN §9). */
export const TICKER_CAP = 200;

interface TickerAlert {
  id: string;
  state: string;
  severity: string;
  raisedAt: string;
}

/** Alerts not cleared, newest first, capped. */
export function tickerItems<T extends TickerAlert>(all: Iterable<T>, cap = TICKER_CAP): T[] {
  const open: T[] = [];
  for (const a of all) if (a.state !== 'cleared') open.push(a);
  open.sort((a, b) => Date.parse(b.raisedAt) - Date.parse(a.raisedAt) || (a.id < b.id ? 1 : -1));
  return open.length > cap ? open.slice(0, cap) : open;
}

/** Severity marks: colour plus a shape, never colour alone. */
export const SEVERITY_SHAPE: Readonly<Record<string, string>> = { critical: '▲', warning: '◆', info: '●' };

// --- settings ---

export const DEFAULT_CYCLE_S = 60;
const MIN_CYCLE_S = 5;
const MAX_CYCLE_S = 3600;

/**
 * The scene cycle in seconds: `?cycle=` first, then the stored value, then 60. `0` pauses the
 * rotation (answered as 0); other values are clamped to 5..3600.
 */
export function parseCycle(param: string | null | undefined, stored: string | null | undefined): number {
  for (const raw of [param, stored]) {
    if (raw === null || raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) continue;
    if (n === 0) return 0;
    return Math.min(MAX_CYCLE_S, Math.max(MIN_CYCLE_S, Math.round(n)));
  }
  return DEFAULT_CYCLE_S;
}

/** A scene rotation paused by hand resumes by itself after this long: an unattended wall must not stay on one scene for days. */
export const MANUAL_PAUSE_MS = 30 * 60_000;

/** Whether a pause stored as the time it began (ms, as text) still holds at `now`; an old `'1'` or anything else does not. */
export function pauseHolds(stored: string | null | undefined, now: number): boolean {
  const at = Number(stored);
  return stored !== '1' && Number.isFinite(at) && at > 0 && now - at < MANUAL_PAUSE_MS;
}

/** `?reload=<hours>`: a scheduled soft reload after that many hours (0.25..720), else null. */
export function parseReloadHours(param: string | null | undefined): number | null {
  if (!param) return null;
  const n = Number(param);
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.min(720, Math.max(0.25, n));
}

/** "1 2 3"-style open items: one per line, the first word the reference, the rest its note. */
export function parseOpenItems(text: string): { ref: string; note: string }[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 200).map((l) => {
    const i = l.search(/\s/);
    return i < 0 ? { ref: l.slice(0, 128), note: '' } : { ref: l.slice(0, i).slice(0, 128), note: l.slice(i + 1).trim().slice(0, 500) };
  });
}

/** True when nothing in a numeric series has a value (all null or zero). */
export function seriesEmpty(values: readonly (number | null)[]): boolean {
  return values.every((v) => v === null || v === 0);
}
