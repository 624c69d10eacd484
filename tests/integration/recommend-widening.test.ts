// The widening-radius candidate search (server/store/unit-candidates.ts) ranks exactly as the
// pure ranking over every unit in scope: 400 units of mixed kinds over the whole demo city, the
// same top units and scores for small and large limits, stale and fix-less units listed apart.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { candidateOf, recommendUnits } from '../../server/incidents/recommend.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ingestOk, reportAt } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let coord: Client;
const KINDS = ['car', 'bike', 'foot', 'community_patrol'];
const grids = demoTree().idsAt('grid').length;

beforeAll(async () => {
  s = await startStack();
  coord = await as(s, 'coordinator');
  const units = Array.from({ length: 400 }, (_, i) => ({ unitId: `W-${i}`, grid: (i * 37) % grids, kind: KINDS[i % 4]! }));
  await ingestOk(s, [reportAt('W-INC', 700), reportAt('W-EDGE', 3)]);
  for (let i = 0; i < units.length; i += 200) {
    await ingestOk(s, units.slice(i, i + 200).map((u) => ce('unit.registered', { unitId: u.unitId, callsign: u.unitId, kind: u.kind, homeGrid: gridCenter(u.grid).gridId })));
  }
  const now = Date.now();
  // every 10th unit has no fix at all, every 10th + 1 an old one
  const fixes = units.filter((_, i) => i % 10 !== 0).map((u, k) => {
    const c = gridCenter(u.grid);
    const old = k % 9 === 0;
    return ce('unit.position', { unitId: u.unitId, lat: c.lat + 0.001, lon: c.lon }, { time: new Date(now - (old ? 10 * 60_000 : 3_000)).toISOString() });
  });
  for (let i = 0; i < fixes.length; i += 200) await ingestOk(s, fixes.slice(i, i + 200));
});
afterAll(async () => { await s?.stop(); });

async function everyUnitRanking(incidentId: string, limit: number) {
  const inc = (await coord.get(`/incidents/${incidentId}`)).body;
  const units = (await coord.get('/units')).body.items;
  const now = Date.now();
  return recommendUnits({ location: inc.location, gridId: inc.gridId }, units.map((u: any) => candidateOf(u, now)), { now, limit });
}

it.each([
  ['W-INC', 1], ['W-INC', 5], ['W-INC', 50], ['W-INC', 500], ['W-EDGE', 5], ['W-EDGE', 50],
])('%s, limit %i: the same units in the same order as ranking every unit', async (id, limit) => {
  const got = (await coord.get(`/incidents/${id}/recommendations?limit=${limit}`)).body;
  const want = await everyUnitRanking(id, limit);
  expect(got.items.map((r: any) => r.unitId)).toEqual(want.items.map((r) => r.unitId));
  // ETAs may differ by a second between the two clocks; the order may not
  got.items.forEach((r: any, i: number) => expect(Math.abs(r.etaSeconds - want.items[i]!.etaSeconds)).toBeLessThanOrEqual(1));
  expect(got.unranked.map((u: any) => u.unitId).sort()).toEqual(want.unranked.map((u) => u.unitId).sort());
  expect(got.unranked.length).toBeGreaterThan(60);
});
