// Units and telemetry: registration, position batches, last fix, trail, the durable copy every
// 30 s, unit.status, and units moved by incident lifecycle facts.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, ingestOk } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let admin: string;
const D2 = '990102';
const D3 = '990103';
/** 50 units: U-00..U-24 at home in D2 (grids 0..24), U-25..U-49 in D3 (grids 191..215) */
const UNITS = Array.from({ length: 50 }, (_, i) => ({ id: `U-${String(i).padStart(2, '0')}`, grid: i < 25 ? i : 191 + i - 25 }));
const T0 = Date.now();

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  admin = await s.login('admin');
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
const pos = (unitId: string, atMs: number, lat: number, lon: number, extra: Record<string, unknown> = {}) =>
  ce('unit.position', { unitId, lat, lon, speed: 8, heading: 90, ...extra }, { source: 'test/gps', time: iso(atMs) });
const register = (unitId: string, grid?: number) =>
  ce('unit.registered', { unitId, callsign: `巡-${unitId}`, kind: 'car', ...(grid === undefined ? {} : { homeGrid: gridCenter(grid).gridId }) }, { source: 'test/roster' });
const units = async (query = '', cookie = admin) => {
  const res = await s.get(`/units${query}`, cookie);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new Map<string, any>(res.body.items.map((u: any) => [u.id, u]));
};
/** One batch of 500 fixes: 10 per unit, 10 s apart from `base`, each unit's fixes in time order. */
const fixBatch = (base: number) => Array.from({ length: 500 }, (_, n) => {
  const k = Math.floor(n / 50);
  const u = UNITS[n % 50]!;
  const c = gridCenter(u.grid);
  return pos(u.id, base + k * 10_000, c.lat + k * 0.0001, c.lon);
});

describe('unit positions', () => {
  it('registers 50 units, then takes 500-fix batches as accepted with seq null, outside the log', async () => {
    const seqs = await ingestOk(s, UNITS.map((u) => register(u.id, u.grid)));
    for (const q of seqs) expect(q).toMatch(/^\d+-\d+$/);
    const before = await r.xlen('log');
    for (const base of [T0 - 240_000, T0 - 120_000]) {
      const res = await s.ingest(fixBatch(base));
      expect(res.status).toBe(202);
      expect(res.body.accepted).toHaveLength(500);
      expect(res.body.accepted.every((a: any) => a.seq === null)).toBe(true);
      expect(res.body.rejected).toEqual([]);
    }
    expect(await r.xlen('log')).toBe(before);
    const all = await units();
    for (const u of UNITS) {
      const got = all.get(u.id);
      expect(got.lastFix).toMatchObject({ at: iso(T0 - 120_000 + 90_000), lat: gridCenter(u.grid).lat + 0.0009, speed: 8, heading: 90 });
      expect(got.fixAgeSeconds).toBeGreaterThanOrEqual(29);
      expect(got.fixAgeSeconds).toBeLessThan(120);
      expect(got.version).toBe(1);
    }
  });

  it('rejects positions of unknown units with unknown_unit at data.unitId', async () => {
    const c = gridCenter(0);
    const alone = await s.ingest([pos('U-NOPE', Date.now(), c.lat, c.lon)]);
    expect(alone.status).toBe(400);
    expect(alone.body.error.details.rejected[0].errors).toEqual([expect.objectContaining({ path: 'data.unitId', code: 'unknown_unit' })]);
    const mixed = await s.ingest([pos('U-49', Date.now(), c.lat, c.lon), pos('U-NOPE', Date.now(), c.lat, c.lon)]);
    expect(mixed.status).toBe(202);
    expect(mixed.body.accepted).toEqual([{ id: expect.any(String), seq: null }]);
    expect(mixed.body.rejected).toEqual([{ index: 1, id: expect.any(String), errors: [expect.objectContaining({ path: 'data.unitId', code: 'unknown_unit' })] }]);
    expect(await r.exists('obj:unit:U-NOPE')).toBe(0);
  });

  it('accepts a position right after its unit.registered in the same batch', async () => {
    const c = gridCenter(30);
    const res = await s.ingest([register('U-NEW'), pos('U-NEW', Date.now() - 1000, c.lat, c.lon)]);
    expect(res.status).toBe(202);
    expect(res.body.rejected).toEqual([]);
    expect(res.body.accepted[0].seq).toMatch(/^\d+-\d+$/);
    expect(res.body.accepted[1].seq).toBeNull();
    expect((await units()).get('U-NEW').lastFix).toMatchObject({ lat: c.lat, lon: c.lon });
  });

  it('rejects a position placed before its unit.registered in the batch (array order)', async () => {
    const c = gridCenter(31);
    const res = await s.ingest([pos('U-LATE', Date.now() - 1000, c.lat, c.lon), register('U-LATE')]);
    expect(res.status).toBe(202);
    expect(res.body.rejected).toEqual([expect.objectContaining({ index: 0, errors: [expect.objectContaining({ code: 'unknown_unit' })] })]);
    expect(res.body.accepted).toHaveLength(1);
  });

  it('ignores a fix older than the stored one', async () => {
    const newest = (await units()).get('U-01').lastFix;
    const res = await s.ingest([pos('U-01', Date.parse(newest.at) - 5000, 31.5, 114.5)]);
    expect(res.status).toBe(202);
    expect((await units()).get('U-01').lastFix).toEqual(newest);
    const trail = await s.get('/units/U-01/trail', admin);
    expect(trail.body.points.some((p: any) => p.lat === 31.5)).toBe(false);
  });

  it('filters units by the home grid chain of a scope', async () => {
    const d2 = await units(`?scope=${D2}`);
    expect([...d2.keys()].sort()).toEqual(UNITS.slice(0, 25).map((u) => u.id));
    const d3 = await units(`?scope=${D3}`);
    expect([...d3.keys()].sort()).toEqual(UNITS.slice(25).map((u) => u.id));
    for (const u of d3.values()) expect(u.jurisdiction).toContain(D3);
    const grid = await units(`?scope=${gridCenter(3).gridId}`);
    expect([...grid.keys()]).toEqual(['U-03']);
    expect((await units()).has('U-NEW')).toBe(true); // no home grid: the city's
    expect((await s.get('/units?scope=nope', admin)).status).toBe(404);
    const duty = await s.login(`duty-${D2}`);
    expect([...(await units('', duty)).keys()].sort()).toEqual(UNITS.slice(0, 25).map((u) => u.id));
    expect((await s.get('/units/U-30/trail', duty)).status).toBe(404);
  });

  it('keeps a trail of the last 10 minutes, oldest first', async () => {
    const full = await s.get('/units/U-00/trail', admin);
    expect(full.status).toBe(200);
    const ats = full.body.points.map((p: any) => p.at);
    expect(ats).toHaveLength(20);
    expect([...ats].sort()).toEqual(ats);
    await ingestOk(s, [register('U-T', 5)]);
    const c = gridCenter(5);
    const now = Date.now();
    await ingestOk(s, [11, 5, 3, 1].map((min, i) => pos('U-T', now - min * 60_000, c.lat + i * 0.001, c.lon)));
    const trail = await s.get('/units/U-T/trail', admin);
    expect(trail.body).toEqual({
      unitId: 'U-T',
      points: [5, 3, 1].map((min, i) => ({ at: iso(now - min * 60_000), lat: c.lat + (i + 1) * 0.001, lon: c.lon, speed: 8, heading: 90 })),
    });
    expect((await s.get('/units/U-NOPE/trail', admin)).status).toBe(404);
  });

  it('writes a fix to the durable store at most every 30 s (fix:<unitId>)', async () => {
    await ingestOk(s, [register('U-D', 7)]);
    const c = gridCenter(7);
    const t = Date.now() - 180_000;
    const durableAt = async () => r.hget('fix:U-D', 'at');
    await ingestOk(s, [pos('U-D', t, c.lat, c.lon)]);
    expect(await durableAt()).toBe(String(t));
    await ingestOk(s, [pos('U-D', t + 10_000, c.lat + 0.001, c.lon)]);
    expect(await durableAt()).toBe(String(t));
    await ingestOk(s, [pos('U-D', t + 31_000, c.lat + 0.002, c.lon)]);
    expect(await durableAt()).toBe(String(t + 31_000));
    expect(Number(await r.hget('fix:U-D', 'lat'))).toBeCloseTo(c.lat + 0.002, 9);
    expect(await r.hget('fix:U-00', 'at')).toBe(String(T0 - 120_000 + 90_000));
  });

  it('skips dedupe for positions: the same event twice is accepted twice', async () => {
    const c = gridCenter(0);
    const ev = pos('U-02', Date.now(), c.lat, c.lon);
    const both = await s.ingest([ev, ev]);
    expect(both.body.accepted).toEqual([{ id: ev.id, seq: null }, { id: ev.id, seq: null }]);
    expect(both.body.duplicates).toEqual([]);
    const again = await s.ingest([ev]);
    expect(again.body).toMatchObject({ accepted: [{ id: ev.id, seq: null }], duplicates: [], rejected: [] });
  });
});

describe('unit.status and lifecycle', () => {
  it('changes status and version and records the latest fix on the unit', async () => {
    await ingestOk(s, [register('U-S', 8)]);
    const c = gridCenter(8);
    const at = Date.now() - 2000;
    await ingestOk(s, [pos('U-S', at, c.lat, c.lon)]);
    const [seq] = await ingestOk(s, [ce('unit.status', { unitId: 'U-S', status: 'busy' })]);
    const u = (await units()).get('U-S');
    expect(u).toMatchObject({ status: 'busy', version: 2, updatedSeq: seq });
    const stored = JSON.parse((await r.hget('obj:unit:U-S', 'j'))!);
    expect(stored.lastFix).toEqual({ at: iso(at), lat: c.lat, lon: c.lon, speed: 8, heading: 90 });
    const [[, fields]] = (await r.xrange('log', seq!, seq!)) as [[string, string[]]];
    expect(JSON.parse(fields[1]!).affects).toEqual([{ kind: 'unit', id: 'U-S', version: 2 }]);
    const unknown = await s.ingest([ce('unit.status', { unitId: 'U-NOPE', status: 'busy' })]);
    expect(unknown.body.error.details.rejected[0].errors[0]).toMatchObject({ code: 'unknown_unit', path: 'data.unitId' });
  });

  it('moves units on scene with incident.arrived and frees them with incident.resolved', async () => {
    const c = gridCenter(12);
    await ingestOk(s, [register('L-1', 12), register('L-2', 13)]);
    await ingestOk(s, [ce('incident.reported', { incidentId: 'LI-1', category: 'fight', priority: 1, location: { lat: c.lat, lon: c.lon } })]);
    const entry = (inc: any, seq: string) => inc.timeline.find((x: any) => x.seq === seq);

    const [arrived] = await ingestOk(s, [ce('incident.arrived', { incidentId: 'LI-1', unitIds: ['L-1', 'L-2'] })]);
    let inc = (await s.get('/incidents/LI-1', admin)).body;
    expect(inc).toMatchObject({ status: 'on_scene', version: 2, unitIds: ['L-1', 'L-2'] });
    let all = await units();
    for (const id of ['L-1', 'L-2']) expect(all.get(id)).toMatchObject({ status: 'on_scene', incidentId: 'LI-1', version: 2 });
    let e = entry(inc, arrived!);
    expect(e.affects).toEqual([{ kind: 'incident', id: 'LI-1', version: 2 }, { kind: 'unit', id: 'L-1', version: 2 }, { kind: 'unit', id: 'L-2', version: 2 }]);

    const [resolved] = await ingestOk(s, [ce('incident.resolved', { incidentId: 'LI-1' })]);
    inc = (await s.get('/incidents/LI-1', admin)).body;
    expect(inc).toMatchObject({ status: 'resolved', version: 3, unitIds: [] });
    all = await units();
    for (const id of ['L-1', 'L-2']) expect(all.get(id)).toMatchObject({ status: 'available', incidentId: null, version: 3 });
    e = entry(inc, resolved!);
    expect(e.affects).toEqual([{ kind: 'incident', id: 'LI-1', version: 3 }, { kind: 'unit', id: 'L-1', version: 3 }, { kind: 'unit', id: 'L-2', version: 3 }]);
    expect(demoTree().chain(inc.gridId)).toEqual(e.jurisdiction);
  });
});

describe('after the telemetry Redis loses everything', () => {
  it('shows the newest fix the durable store knows, the one recorded with a status change', async () => {
    await ingestOk(s, [register('U-V', 9)]);
    const c = gridCenter(9);
    const t = Date.now() - 60_000;
    await ingestOk(s, [pos('U-V', t, c.lat, c.lon)]); // durable copy (first fix)
    await ingestOk(s, [pos('U-V', t + 10_000, c.lat + 0.001, c.lon)]); // telemetry only
    await ingestOk(s, [ce('unit.status', { unitId: 'U-V', status: 'busy' })]); // the unit records it
    expect(JSON.parse((await r.hget('obj:unit:U-V', 'j'))!).lastFix.at).toBe(iso(t + 10_000));
    await s.telemetry.restart(); // volatile: comes back empty
    let res = await s.get('/units', admin);
    for (let i = 0; i < 50 && res.status !== 200; i++) {
      await new Promise((w) => setTimeout(w, 200));
      res = await s.get('/units', admin);
    }
    expect(res.status).toBe(200);
    const u = res.body.items.find((x: any) => x.id === 'U-V');
    expect(u.lastFix).toMatchObject({ at: iso(t + 10_000), lat: c.lat + 0.001 });
  });
});
