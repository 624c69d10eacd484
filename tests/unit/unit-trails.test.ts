// Recent unit trails (DESIGN §9): the typed-array rings of client/stores/trails.ts (sampling, the
// cap, ages, units leaving, no growth under 2,000 units at 1 Hz), the units store feeding them from
// snapshots and positions frames, and the packing and fading the unit drawing worker gets.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitView } from '../../shared/api.js';
import type { LivePosition } from '../../shared/live.js';
import { projectPx } from '../../client/composables/map/cluster-math.js';
import {
  packTrail, TRAIL_BANDS, TRAIL_HEADER, TRAIL_POINT, trailAlpha, trailBand, trailStep, trailWidth, type TrailView,
} from '../../client/composables/map/unit-sprites.js';
import { mercatorX, mercatorY, TRAIL_MAX_AGE_MS, TRAIL_MIN_GAP_MS, TRAIL_POINTS, TrailBuffer } from '../../client/stores/trails.js';
import { useUnitsStore } from '../../client/stores/units.js';

const T0 = Date.parse('2026-03-03T02:00:00.000Z');
const LAT = 30.27;
const LON = 120.15;

/** A unit's points as [Mercator x, Mercator y, ms] read back from a buffer. */
function points(b: TrailBuffer, id: string, now: number): number[][] {
  const out = new Float64Array(b.capacity * 3);
  const n = b.read(id, now, out);
  return Array.from({ length: n }, (_, i) => [out[i * 3]!, out[i * 3 + 1]!, out[i * 3 + 2]!]);
}
const times = (b: TrailBuffer, id: string, now: number) => points(b, id, now).map((p) => p[2]! - T0);

describe('TrailBuffer', () => {
  it('takes at most one point per 10 s per unit, in order; older and repeated fixes are not taken', () => {
    const b = new TrailBuffer();
    for (let s = 0; s <= 35; s++) b.record('U1', LAT + s * 1e-5, LON, T0 + s * 1000);
    expect(times(b, 'U1', T0 + 35_000)).toEqual([0, 10_000, 20_000, 30_000]);
    // a late fix (older than the last point) and the same fix again change nothing
    expect(b.record('U1', LAT, LON, T0 + 25_000)).toBe(false);
    expect(b.record('U1', LAT, LON, T0 + 30_000)).toBe(false);
    expect(b.record('U1', LAT, LON, T0 + 40_000)).toBe(true);
    expect(times(b, 'U1', T0 + 40_000)).toEqual([0, 10_000, 20_000, 30_000, 40_000]);
    expect(b.record('U1', Number.NaN, LON, T0 + 60_000)).toBe(false);
    expect(TRAIL_MIN_GAP_MS).toBe(10_000);
  });

  it('stores Web Mercator fractions: times the world width, Leaflet’s projected pixels at any zoom', () => {
    const b = new TrailBuffer();
    b.record('U1', LAT, LON, T0);
    const [[x, y]] = points(b, 'U1', T0) as [[number, number, number]];
    for (const zoom of [9, 12.5, 17]) {
      const [px, py] = projectPx(LAT, LON, zoom);
      const world = 256 * 2 ** zoom;
      expect(x * world).toBeCloseTo(px, 6);
      expect(y * world).toBeCloseTo(py, 6);
    }
    expect(mercatorX(-180)).toBe(0);
    expect(mercatorY(0)).toBeCloseTo(0.5, 12);
    // clamped at Web Mercator's edge, never infinite
    expect(Number.isFinite(mercatorY(90))).toBe(true);
  });

  it('keeps the last `capacity` points: the oldest make room', () => {
    const b = new TrailBuffer({ capacity: 4, minGapMs: 1000, maxAgeMs: 3_600_000 });
    for (let s = 0; s < 10; s++) b.record('U1', LAT, LON + s * 1e-4, T0 + s * 1000);
    expect(times(b, 'U1', T0 + 10_000)).toEqual([6000, 7000, 8000, 9000]);
    const xs = points(b, 'U1', T0 + 10_000).map((p) => p[0]!);
    expect(xs[0]).toBeCloseTo(mercatorX(LON + 6e-4), 12);
    expect(xs[3]).toBeCloseTo(mercatorX(LON + 9e-4), 12);
    // the default: ten minutes at one point per 10 s fit
    expect(TRAIL_POINTS * TRAIL_MIN_GAP_MS).toBeGreaterThanOrEqual(TRAIL_MAX_AGE_MS);
  });

  it('answers only the points of the last 10 minutes; a unit back after longer starts afresh', () => {
    const b = new TrailBuffer();
    for (let s = 0; s < 60; s++) b.record('U1', LAT, LON, T0 + s * 10_000);
    expect(points(b, 'U1', T0 + 590_000)).toHaveLength(60);
    // five minutes later, the first 30 points are older than 10 minutes
    expect(times(b, 'U1', T0 + 890_000)[0]).toBe(290_000);
    expect(points(b, 'U1', T0 + 890_000)).toHaveLength(31);
    expect(points(b, 'U1', T0 + 10_000_000)).toHaveLength(0);
    // silent for 20 minutes: no line across the gap, even if read against an old clock
    b.record('U1', LAT, LON, T0 + 590_000 + 1_200_000);
    expect(times(b, 'U1', T0)).toEqual([1_790_000]);
  });

  it('drops the trails of units that leave, gives their slots to the next ones, and clears all', () => {
    const b = new TrailBuffer({ initialUnits: 2 });
    b.record('A', LAT, LON, T0);
    b.record('B', LAT, LON, T0);
    b.record('C', LAT, LON, T0);
    expect(b.size).toBe(3);
    expect(b.allocatedUnits).toBe(4);
    expect(b.retain((id) => id !== 'B')).toBe(1);
    expect(b.has('B')).toBe(false);
    expect(points(b, 'B', T0)).toHaveLength(0);
    expect(b.drop('B')).toBe(false);
    // B's slot serves D, and carries nothing of B's
    b.record('D', LAT + 1, LON, T0 + 5000);
    expect(times(b, 'D', T0 + 5000)).toEqual([5000]);
    b.record('E', LAT, LON, T0);
    expect(b.allocatedUnits).toBe(4);
    // growing keeps what the others hold
    b.record('F', LAT, LON, T0);
    expect(b.allocatedUnits).toBe(8);
    expect(times(b, 'A', T0)).toEqual([0]);
    expect(points(b, 'D', T0 + 5000)[0]![1]).toBeCloseTo(mercatorY(LAT + 1), 12);
    const v = b.version;
    b.clear();
    expect(b.size).toBe(0);
    expect(b.version).toBeGreaterThan(v);
    expect(points(b, 'A', T0)).toHaveLength(0);
    expect(b.allocatedUnits).toBe(8);
  });

  it('2,000 units at 1 Hz for 30 minutes, with units coming and going: no growth, bounded trails', () => {
    const b = new TrailBuffer();
    const out = new Float64Array(b.capacity * 3);
    let most = 0;
    let allocated = 0;
    for (let s = 0; s < 1800; s++) {
      const now = T0 + s * 1000;
      // every minute, 100 units leave and 100 new ones come
      const shift = Math.floor(s / 60) * 100;
      if (s % 60 === 0) b.retain((id) => Number(id.slice(1)) >= shift);
      for (let i = shift; i < shift + 2000; i++) b.record(`U${i}`, LAT + ((i * 13 + s) % 100) * 1e-5, LON, now);
      if (s === 60) allocated = b.allocatedUnits;
      if (s % 300 === 299) for (let i = shift; i < shift + 2000; i += 97) most = Math.max(most, b.read(`U${i}`, now, out));
    }
    expect(b.size).toBe(2000);
    expect(b.allocatedUnits).toBe(allocated);
    expect(b.allocatedUnits).toBeLessThanOrEqual(4096);
    // 10 minutes at one point per 10 s: 60 points, never more than the cap
    expect(most).toBeGreaterThanOrEqual(59);
    expect(most).toBeLessThanOrEqual(Math.min(61, TRAIL_POINTS));
  });
});

describe('useUnitsStore trails', () => {
  const view = (id: string, at: number | null): UnitView => ({
    id, version: 1, callsign: id, kind: 'car', homeGrid: null, skills: [], status: 'available', incidentId: null, jurisdiction: ['d1'],
    lastFix: at === null ? null : { lat: LAT, lon: LON, speed: 0, heading: 0, at: new Date(at).toISOString() },
    statusSince: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString(), fixAgeSeconds: null,
  } as UnitView);
  const pos = (unitId: string, at: number, lat = LAT): LivePosition => ({ unitId, lat, lon: LON, speed: 5, heading: 90, status: null, at: new Date(at).toISOString() });
  let list: UnitView[];

  beforeEach(() => {
    setActivePinia(createPinia());
    list = [view('U1', T0), view('U2', null)];
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ items: list, asOfSeq: '1-0', logEpoch: 'e1' }), { status: 200, headers: { 'content-type': 'application/json' } })));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('builds trails from the snapshot and the positions frames; units that leave and reset drop them', async () => {
    const s = useUnitsStore();
    await s.load();
    expect(times(s.trails, 'U1', T0)).toEqual([0]);
    expect(s.trails.has('U2')).toBe(false);
    for (let k = 1; k <= 25; k++) s.applyPositions([pos('U1', T0 + k * 1000, LAT + k * 1e-4), pos('U2', T0 + k * 1000)]);
    expect(times(s.trails, 'U1', T0 + 25_000)).toEqual([0, 10_000, 20_000]);
    expect(times(s.trails, 'U2', T0 + 25_000)).toEqual([1000, 11_000, 21_000]);
    expect(points(s.trails, 'U1', T0 + 25_000)[2]![1]).toBeCloseTo(mercatorY(LAT + 20e-4), 12);
    // an older frame arriving late moves nothing
    s.applyPositions([pos('U1', T0 + 5000, LAT + 1)]);
    expect(times(s.trails, 'U1', T0 + 25_000)).toEqual([0, 10_000, 20_000]);
    // U2 leaves the list: its trail goes with it
    list = [view('U1', T0)];
    await s.load();
    expect(s.trails.has('U2')).toBe(false);
    expect(times(s.trails, 'U1', T0 + 25_000)).toEqual([0, 10_000, 20_000]);
    s.reset();
    expect(s.trails.size).toBe(0);
    expect(points(s.trails, 'U1', T0 + 25_000)).toHaveLength(0);
  });
});

describe('trail drawing', () => {
  const world = 256 * 2 ** 14;
  const view = (over: Partial<TrailView> = {}): TrailView => ({ ox: 0, oy: 0, world, w: 800, h: 600, now: T0 + 600_000, maxAgeMs: TRAIL_MAX_AGE_MS, step: 2, margin: 10, ...over });
  /** Trail points (Mercator) at pixel positions of `view()`, t in ms after T0. */
  const pts = (...p: [number, number, number][]) => Float64Array.from(p.flatMap(([x, y, t]) => [x / world, y / world, T0 + t]));

  it('packs a trail in view pixels, thinned, ending at the unit’s arrow, with ages from new to old', () => {
    const out = new Float32Array(64).fill(-1);
    const p = pts([100, 100, 0], [100.5, 100.5, 10_000], [110, 100, 300_000], [120, 100, 590_000]);
    const end = packTrail(out, 5, p, 4, 130 / world, 100 / world, T0 + 600_000, view());
    // the second point is within 2 px of the first: skipped; then the arrow
    expect(out[6]).toBe(4);
    expect(end).toBe(5 + TRAIL_HEADER + 4 * TRAIL_POINT);
    const got = Array.from(out.slice(5 + TRAIL_HEADER, end));
    expect(got.map((x) => Math.round(x * 1000) / 1000)).toEqual([100, 100, 1, 110, 100, 0.5, 120, 100, 0.017, 130, 100, 0]);
    // the look index is the caller's to write
    expect(out[5]).toBe(-1);
  });

  it('packs nothing for a unit that has not moved a step, or a trail out of view', () => {
    const out = new Float32Array(64);
    expect(packTrail(out, 0, pts([100, 100, 0]), 1, 101 / world, 100 / world, T0, view())).toBe(0);
    expect(packTrail(out, 0, pts([-500, -500, 0], [-400, -500, 1000]), 2, -300 / world, -500 / world, T0, view())).toBe(0);
    // one end in view is enough
    expect(packTrail(out, 0, pts([-500, 50, 0], [-400, 50, 1000]), 2, 5 / world, 50 / world, T0, view())).toBe(TRAIL_HEADER + 3 * TRAIL_POINT);
    // a kept point too close to the arrow gives way to it
    expect(packTrail(out, 0, pts([50, 50, 0], [60, 50, 1000]), 2, 61 / world, 50 / world, T0, view())).toBe(TRAIL_HEADER + 2 * TRAIL_POINT);
    expect(out[TRAIL_HEADER + TRAIL_POINT]).toBe(61);
  });

  it('fades by age band, older fainter; lines and steps grow with the arrows (the 4K marker scale)', () => {
    expect(trailBand(0)).toBe(0);
    expect(trailBand(0.3)).toBe(1);
    expect(trailBand(1)).toBe(TRAIL_BANDS - 1);
    expect(trailBand(-0.1)).toBe(0);
    for (let b = 1; b < TRAIL_BANDS; b++) expect(trailAlpha(b)).toBeLessThan(trailAlpha(b - 1));
    expect(trailAlpha(TRAIL_BANDS - 1)).toBeGreaterThan(0);
    expect(trailWidth(16)).toBe(2 * trailWidth(8));
    expect(trailStep(16)).toBe(2 * trailStep(8));
    expect(trailWidth(1)).toBe(1);
  });
});
