// GET /incidents/:id/recommendations (DESIGN §4, §7) against real Redis: available units of the
// caller's scopes ranked by ETA with reasons, stale fixes unranked, skills, 403 / 404 / 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ingestOk, reportAt } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let coord: Client;
let coordD2: Client;
let duty: Client;
const [D2] = demoTree().idsAt('district') as [string];
const C = gridCenter(10);
const iso = (ms: number) => new Date(ms).toISOString();
const register = (unitId: string, grid: number, extra: Record<string, unknown> = {}) =>
  ce('unit.registered', { unitId, callsign: `巡-${unitId}`, kind: 'car', homeGrid: gridCenter(grid).gridId, ...extra }, { source: 'test/roster' });
/** A fix `dLat` degrees north of the incident, taken `agoMs` ago. */
const fix = (unitId: string, dLat: number, agoMs = 5_000) =>
  ce('unit.position', { unitId, lat: C.lat + dLat, lon: C.lon, speed: 5, heading: 0 }, { source: 'test/gps', time: iso(Date.now() - agoMs) });

beforeAll(async () => {
  s = await startStack();
  coord = await as(s, 'coordinator');
  duty = await as(s, 'duty');
  const admin = await as(s, 'admin');
  const created = await admin.post('/admin/users', { username: 'rec-d2', displayName: 'D2 coordinator', roles: ['coordinator'], scopes: [D2], password: 'district-password-1' });
  expect(created.status).toBe(201);
  coordD2 = await as(s, 'rec-d2', { password: 'district-password-1' });
  await ingestOk(s, [
    reportAt('REC-1', 10), reportAt('REC-D3', 210),
    ce('incident.reported', { incidentId: 'REC-NL', category: 'theft', priority: 3 }),
    register('U-NEAR', 10), register('U-MEDIC', 12, { skills: ['first_aid'] }), register('U-FAR', 14),
    register('U-STALE', 10), register('U-NOFIX', 10), register('U-BUSY', 10), register('U-D3', 210),
  ]);
  await ingestOk(s, [
    fix('U-NEAR', 0.001), fix('U-MEDIC', 0.005), fix('U-FAR', 0.015), fix('U-STALE', 0.0005, 10 * 60_000),
    fix('U-BUSY', 0.0002), fix('U-D3', 0.003),
  ]);
  await ingestOk(s, [ce('unit.status', { unitId: 'U-BUSY', status: 'busy' })]);
});
afterAll(async () => {
  await s?.stop();
});

const ids = (items: { unitId: string }[]) => items.map((i) => i.unitId);

describe('GET /incidents/:id/recommendations', () => {
  it('ranks the available units nearest first, with ETA, distance, score and reasons', async () => {
    const res = await coord.get('/incidents/REC-1/recommendations');
    expect(res.status, res.text).toBe(200);
    expect(typeof res.body.asOfSeq).toBe('string');
    expect(ids(res.body.items)).toEqual(['U-NEAR', 'U-D3', 'U-MEDIC', 'U-FAR']);
    const [near, , medic] = res.body.items;
    expect(near).toMatchObject({ unitId: 'U-NEAR', callsign: '巡-U-NEAR', kind: 'car' });
    expect(near.distanceMeters).toBeGreaterThan(90);
    expect(near.distanceMeters).toBeLessThan(130);
    expect(Math.abs(near.etaSeconds - (near.distanceMeters * 1.3) / (30 / 3.6))).toBeLessThanOrEqual(1); // car: 30 km/h, road factor 1.3
    expect(near.reasons).toEqual(expect.arrayContaining([
      { code: 'eta', seconds: near.etaSeconds }, { code: 'distance', meters: near.distanceMeters }, { code: 'home_grid' },
    ]));
    expect(near.score).toBeLessThan(near.etaSeconds); // the home grid edge
    expect(medic.reasons.map((r: any) => r.code)).not.toContain('home_grid');
    for (const i of res.body.items) expect(Math.abs(i.score - i.etaSeconds)).toBeLessThanOrEqual(Math.ceil(i.etaSeconds * 0.2) + 1);
  });

  it('lists units without a fix younger than 5 minutes apart, unranked; busy units not at all', async () => {
    const res = await coord.get('/incidents/REC-1/recommendations');
    expect(ids(res.body.unranked)).toEqual(['U-NOFIX', 'U-STALE']);
    const stale = res.body.unranked.find((u: any) => u.unitId === 'U-STALE');
    expect(stale).not.toHaveProperty('etaSeconds');
    expect(stale.reasons[0].code).toBe('stale_fix');
    expect(stale.reasons[0].ageSeconds).toBeGreaterThanOrEqual(590);
    expect(res.body.unranked.find((u: any) => u.unitId === 'U-NOFIX').reasons[0]).toEqual({ code: 'stale_fix', ageSeconds: null });
    expect([...ids(res.body.items), ...ids(res.body.unranked)]).not.toContain('U-BUSY');
  });

  it('filters by skills and limits the ranked list', async () => {
    const skilled = await coord.get('/incidents/REC-1/recommendations?skills=first_aid');
    expect(skilled.status).toBe(200);
    expect(ids(skilled.body.items)).toEqual(['U-MEDIC']);
    expect(skilled.body.unranked).toEqual([]);
    const two = await coord.get('/incidents/REC-1/recommendations?limit=2');
    expect(ids(two.body.items)).toEqual(['U-NEAR', 'U-D3']);
  });

  it('offers only units the caller may dispatch (their home jurisdiction in scope)', async () => {
    const res = await coordD2.get('/incidents/REC-1/recommendations');
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body.items)).toEqual(['U-NEAR', 'U-MEDIC', 'U-FAR']);
  });

  it('answers 403 without incidents.dispatch, 404 out of scope or unknown, 409 not_located', async () => {
    const forbidden = await duty.get('/incidents/REC-1/recommendations');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'incidents.dispatch' } });
    expect((await coordD2.get('/incidents/REC-D3/recommendations')).status).toBe(404);
    expect((await coord.get('/incidents/NOPE/recommendations')).status).toBe(404);
    const nl = await coord.get('/incidents/REC-NL/recommendations');
    expect(nl.status).toBe(409);
    expect(nl.body.error.code).toBe('not_located');
    expect((await coord.get('/incidents/REC-1/recommendations?limit=abc')).status).toBe(400);
  });
});
