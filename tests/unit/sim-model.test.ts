import { beforeAll, describe, expect, it } from 'vitest';
import { cloudEventSchema, EVENT_DATA_SCHEMAS, isEventType } from '../../shared/events.js';
import type { JurisdictionCollection } from '../../shared/jurisdiction.js';
import { simGridsFromCollection } from '../../server/sim/grids.js';
import { type SimEvent, type SimGrid, SimModel } from '../../server/sim/model.js';
import { SIM_EVENT_TYPES } from '../../server/sim/event-types.js';
import { localHour } from '../../server/sim/rhythm.js';

// A 10 x 10 city of 600 m squares in two districts; the top rows are suburban.
const LAT0 = 30.5;
const LON0 = 114.2;
const STEP = 0.006;
const N = 10;
const CITY_BBOX = [LON0, LAT0, LON0 + N * STEP, LAT0 + N * STEP] as const;

function syntheticGrids(): SimGrid[] {
  const grids: SimGrid[] = [];
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const minLon = LON0 + c * STEP;
      const minLat = LAT0 + r * STEP;
      grids.push({
        id: `G${r}${c}`,
        areaType: r >= 8 ? 'suburban' : 'urban',
        centroid: { lat: minLat + STEP / 2, lon: minLon + STEP / 2 },
        bbox: [minLon, minLat, minLon + STEP, minLat + STEP],
        districtId: c < 5 ? 'D1' : 'D2',
        place: '测试街道',
      });
    }
  }
  return grids;
}

/** The synthetic grid a point falls in (the tests' own geometry, independent of the model). */
function gridOf(lat: number, lon: number): string {
  const r = Math.min(N - 1, Math.floor((lat - LAT0) / STEP));
  const c = Math.min(N - 1, Math.floor((lon - LON0) / STEP));
  return `G${r}${c}`;
}

// 2025-01-06 00:00 in Asia/Shanghai
const START = Date.UTC(2025, 0, 5, 16, 0);
const HOUR = 3_600_000;

function run(opts: { seed: number; hours: number; units?: number; speed?: number; dtMs?: number; startMs?: number }, each: (e: SimEvent, now: number) => void) {
  const startMs = opts.startMs ?? START;
  const model = new SimModel({ grids: syntheticGrids(), seed: opts.seed, startMs, units: opts.units ?? 50, speed: opts.speed ?? 1 });
  const dt = opts.dtMs ?? 1000;
  for (let now = startMs; now < startMs + opts.hours * HOUR;) {
    now += dt;
    for (const e of model.step(now, dt)) each(e, now);
  }
  return model;
}

function collect(opts: Parameters<typeof run>[0]): SimEvent[] {
  const out: SimEvent[] = [];
  run(opts, (e) => out.push(e));
  return out;
}

describe('SimModel determinism', () => {
  it('yields identical events for the same seed and inputs', () => {
    const a = collect({ seed: 42, hours: 2, units: 10 });
    const b = collect({ seed: 42, hours: 2, units: 10 });
    expect(a.length).toBeGreaterThan(1000);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('yields different events for another seed', () => {
    const a = collect({ seed: 1, hours: 1, units: 10 }).filter((e) => e.type === 'incident.reported');
    const b = collect({ seed: 2, hours: 1, units: 10 }).filter((e) => e.type === 'incident.reported');
    expect(JSON.stringify(b.map((e) => e.data))).not.toBe(JSON.stringify(a.map((e) => e.data)));
  });

  it('never reuses event or object ids across runs started at different times', () => {
    const a = collect({ seed: 1, hours: 0.5, units: 5 });
    const b = collect({ seed: 1, hours: 0.5, units: 5, startMs: START + 60_000 });
    const ids = new Set(a.map((e) => e.id));
    expect(b.some((e) => ids.has(e.id))).toBe(false);
    const incidents = new Set(a.filter((e) => e.type === 'incident.reported').map((e) => e.data.incidentId));
    expect(b.some((e) => e.type === 'incident.reported' && incidents.has(e.data.incidentId))).toBe(false);
  });

  it('multiplies incident rates by the speed', () => {
    const count = (speed: number) => collect({ seed: 3, hours: 2, units: 5, speed, dtMs: 5000 }).filter((e) => e.type === 'incident.reported').length;
    const slow = count(1);
    const fast = count(5);
    expect(fast / slow).toBeGreaterThan(3.5);
    expect(fast / slow).toBeLessThan(7);
  });
});

describe('SimModel over 24 simulated hours', () => {
  const types = new Map<string, number>();
  const sources = new Set<string>();
  const invalid: string[] = [];
  const byHour = new Array<number>(24).fill(0);
  const byGrid = new Map<string, number>();
  const registered = new Set<string>();
  const positionBeforeRegistration: string[] = [];
  const outside: string[] = [];
  const ids = new Set<string>();
  const duplicateIds: string[] = [];
  const futureOrUnordered: string[] = [];
  const known = new Set<string>();
  const dangling: string[] = [];
  let model: SimModel;

  beforeAll(() => {
    let lastTime = 0;
    model = run({ seed: 7, hours: 24, dtMs: 5000 }, (e, now) => {
      types.set(e.type, (types.get(e.type) ?? 0) + 1);
      sources.add(e.source);
      if (ids.has(e.id)) duplicateIds.push(e.id);
      ids.add(e.id);
      const t = Date.parse(e.time);
      if (t > now || t < lastTime) futureOrUnordered.push(`${e.id} ${e.time}`);
      lastTime = t;
      // Positions are the bulk: validate a sample of them, everything else in full.
      if (e.type !== 'unit.position' || Number(e.id.split('-').pop()) % 20 === 0) {
        const env = cloudEventSchema.safeParse(e);
        const data = isEventType(e.type) ? EVENT_DATA_SCHEMAS[e.type].safeParse(e.data) : undefined;
        if (!env.success || !data?.success) invalid.push(`${e.type} ${JSON.stringify(e)} ${JSON.stringify(env.error ?? data?.error)}`);
      }
      const d = e.data as Record<string, unknown> & { location?: { lat: number; lon: number } };
      switch (e.type) {
        case 'unit.registered':
          registered.add(String(d.unitId));
          break;
        case 'unit.position': {
          if (!registered.has(String(d.unitId))) positionBeforeRegistration.push(String(d.unitId));
          const lat = Number(d.lat);
          const lon = Number(d.lon);
          if (lon < CITY_BBOX[0] || lat < CITY_BBOX[1] || lon > CITY_BBOX[2] || lat > CITY_BBOX[3]) outside.push(`${lat},${lon}`);
          break;
        }
        case 'incident.reported':
          known.add(String(d.incidentId));
          byHour[Math.floor(localHour(t))]! += 1;
          if (d.location) byGrid.set(gridOf(d.location.lat, d.location.lon), (byGrid.get(gridOf(d.location.lat, d.location.lon)) ?? 0) + 1);
          break;
        case 'dispute.registered':
          known.add(String(d.disputeId));
          break;
        case 'petition.filed':
          known.add(String(d.petitionId));
          break;
        default:
          for (const ref of [d.incidentId, d.disputeId, d.petitionId, d.caseRef]) {
            if (typeof ref === 'string' && !known.has(ref)) dangling.push(`${e.type} ${ref}`);
          }
      }
    });
  }, 60_000);

  it('produces only events that validate against the catalogue', () => {
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(types.has('incident.dispatched')).toBe(false);
    for (const t of [
      'incident.reported', 'incident.en_route', 'incident.arrived', 'incident.resolved', 'incident.closed',
      'incident.cancelled', 'incident.updated', 'unit.registered', 'unit.position', 'unit.status',
      'patrol.checkin', 'dispute.registered', 'dispute.mediated', 'dispute.assessed', 'dispute.routed', 'dispute.escalated',
      'dispute.resolved', 'dispute.closed', 'petition.filed', 'petition.escalated', 'petition.answered', 'petition.closed',
      'supervision.issued', 'supervision.answered', 'supervision.closed', 'feedback.received', 'gridworker.report',
    ]) expect(types.get(t) ?? 0, t).toBeGreaterThan(0);
  });

  it('sends only what the simulator key is granted (demo mode): its types, from sim/ sources', () => {
    const granted = new Set<string>(SIM_EVENT_TYPES);
    expect([...types.keys()].filter((t) => !granted.has(t))).toEqual([]);
    expect([...sources].filter((x) => !x.startsWith('sim/'))).toEqual([]);
    expect(granted.has('incident.dispatched')).toBe(false);
  });

  it('names its units with its own prefix (stable across runs of a seed)', () => {
    expect([...registered].every((id) => /^SIM7-U\d{3}$/.test(id))).toBe(true);
  });

  it('uses unique ids, sends events in time order and never in the future', () => {
    expect(duplicateIds).toEqual([]);
    expect(futureOrUnordered.slice(0, 3)).toEqual([]);
  });

  it('only refers to incidents, disputes, petitions and cases it reported itself', () => {
    expect(dangling.slice(0, 3)).toEqual([]);
  });

  it('runs at about one incident per 20 s at the peak and a few thousand a day', () => {
    const total = types.get('incident.reported') ?? 0;
    expect(total).toBeGreaterThan(1500);
    expect(total).toBeLessThan(4500);
    const peakPerHour = (byHour[20]! + byHour[21]!) / 2;
    expect(peakPerHour).toBeGreaterThan(120);
    expect(peakPerHour).toBeLessThan(260);
    // About 3% are reported without a location.
    const unlocated = total - [...byGrid.values()].reduce((s, n) => s + n, 0);
    expect(unlocated / total).toBeGreaterThan(0.01);
    expect(unlocated / total).toBeLessThan(0.06);
  });

  it('has a clearly higher rate at 20:00–22:00 than at 03:00–05:00', () => {
    const evening = byHour[20]! + byHour[21]!;
    const night = byHour[3]! + byHour[4]!;
    expect(evening).toBeGreaterThan(2.5 * night);
  });

  it('concentrates incidents in the hotspot grids', () => {
    expect(model.hotspots.size).toBeGreaterThanOrEqual(10);
    const counts = [...byGrid.values()];
    const average = counts.reduce((s, n) => s + n, 0) / (N * N);
    const hot = [...model.hotspots].map((id) => byGrid.get(id) ?? 0);
    const hotAverage = hot.reduce((s, n) => s + n, 0) / hot.length;
    expect(hotAverage).toBeGreaterThan(3 * average);
  });

  it('keeps positions inside the city and registers units before their first fix', () => {
    expect(registered.size).toBe(50);
    expect(positionBeforeRegistration).toEqual([]);
    expect(outside.slice(0, 3)).toEqual([]);
    // ~3–5 s per unit over a day
    const fixes = types.get('unit.position') ?? 0;
    expect(fixes).toBeGreaterThan((50 * 86_400) / 5.5);
    expect(fixes).toBeLessThan((50 * 86_400) / 2.5);
  });
});

describe('simGridsFromCollection', () => {
  const square = (x: number, y: number, s: number) => ({
    type: 'Polygon' as const,
    coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]] as [number, number][]],
  });
  const feature = (id: string, level: 'city' | 'district' | 'street' | 'community' | 'grid', parentId: string | null, name: string, geometry = square(0, 0, 1)) => ({
    type: 'Feature' as const,
    properties: { id, level, parentId, name, areaType: 'urban' as const },
    geometry,
  });

  it('keeps grids with centroid, bbox, district and place name, sorted by id', () => {
    const fc: JurisdictionCollection = {
      type: 'FeatureCollection',
      features: [
        feature('C', 'city', null, '平安市'),
        feature('D', 'district', 'C', '东区'),
        feature('S', 'street', 'D', '建国街道'),
        feature('M', 'community', 'S', '光华社区'),
        feature('G2', 'grid', 'M', '第二网格', square(114.01, 30, 0.01)),
        feature('G1', 'grid', 'M', '第一网格', square(114, 30, 0.01)),
      ],
    };
    const grids = simGridsFromCollection(fc);
    expect(grids.map((g) => g.id)).toEqual(['G1', 'G2']);
    const g1 = grids[0]!;
    expect(g1.districtId).toBe('D');
    expect(g1.place).toBe('建国街道光华社区');
    expect(g1.bbox).toEqual([114, 30, 114.01, 30.01]);
    expect(g1.centroid.lat).toBeCloseTo(30.005, 9);
    expect(g1.centroid.lon).toBeCloseTo(114.005, 9);
  });
});
