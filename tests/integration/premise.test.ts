// Premise history (DESIGN §7): earlier incidents and disputes within 200 m and in the same grid
// over the last 90 days, from the monthly GEO sets, in the caller's scope.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ingestOk } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';
import { rosterOf } from '../../server/geo/roster.js';
import { monthsBack } from '../../server/http/premise-routes.js';

let s: Stack;
let duty: Client;
let dutyOther: Client;
const c = gridCenter(40);
const at = (dLat: number, dLon = 0) => ({ lat: c.lat + dLat, lon: c.lon + dLon });
const report = (incidentId: string, loc: { lat: number; lon: number }, time?: string) =>
  ce('incident.reported', { incidentId, category: 'theft', priority: 3, location: loc, address: '中山路 1 号' }, time ? { time } : {});

beforeAll(async () => {
  s = await startStack();
  duty = await as(s, 'duty');
  const district = demoTree().chain(c.gridId).at(-2)!;
  const other = demoTree().idsAt('district').find((d) => d !== district)!;
  dutyOther = await as(s, `duty-${other}`);
  await ingestOk(s, [
    report('PR-NOW', at(0)),
    report('PR-NEAR', at(0.0005)), // ~55 m
    report('PR-FAR', at(0.004)), // ~440 m
    ce('dispute.registered', { disputeId: 'PR-D', kind: 'neighbour', parties: ['甲', '乙'], location: at(-0.0004) }),
  ]);
});
afterAll(async () => { await s?.stop(); });

it('lists earlier incidents and disputes nearby in the same grid, not itself or farther ones', async () => {
  const r = await duty.get('/incidents/PR-NOW/premise');
  expect(r.status).toBe(200);
  expect(r.body.incidents.map((i: any) => i.id)).toEqual(['PR-NEAR']);
  expect(r.body.disputes.map((d: any) => d.id)).toEqual(['PR-D']);
  const worker = rosterOf(demoTree()).workerForGrid(c.gridId)!;
  expect(r.body).toMatchObject({ gridId: c.gridId, radiusMeters: 200, days: 90, gridWorker: { id: worker.id, name: worker.name } });
  expect(typeof r.body.asOfSeq).toBe('string');
});

it('is 404 outside the caller\'s scope', async () => {
  expect((await dutyOther.get('/incidents/PR-NOW/premise')).status).toBe(404);
  expect((await duty.get('/incidents/NOPE/premise')).status).toBe(404);
});

it('covers every month a 90-day window touches', () => {
  expect(monthsBack(Date.parse('2026-03-15T00:00:00Z'), 90)).toEqual(['2026-03', '2026-02', '2026-01', '2025-12']);
  expect(monthsBack(Date.parse('2026-01-31T00:00:00Z'), 30)).toEqual(['2026-01']);
});
