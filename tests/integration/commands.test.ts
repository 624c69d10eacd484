// Incident commands (DESIGN §3, §4) against real Redis: POST /incidents, dispatch, release, link,
// transition — strict state machine, expectedVersion, one winner per unit, Idempotency-Key.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { call, durableClient, ingestOk, reportAt, type RawAnswer } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let coord: Client;
let duty: Client;
let coordD2: Client;
const [D2, D3] = demoTree().idsAt('district') as [string, string];
const grid = (n: number) => demoTree().idsAt('grid')[n]!;

/** A command with extra headers (an Idempotency-Key), from the coordinator's session. */
const send = (c: Client, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  call(s, path, { method: 'POST', cookie: c.cookie, body, headers: { origin: s.url, ...headers } });
const logLength = () => r.xlen('log');
const timelineTypes = async (id: string) => (await coord.get(`/incidents/${id}`)).body.timeline.map((e: any) => e.type);

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  coord = await as(s, 'coordinator');
  duty = await as(s, 'duty');
  const admin = await as(s, 'admin');
  const created = await admin.post('/admin/users', { username: 'coord-d2', displayName: 'D2 coordinator', roles: ['coordinator'], scopes: [D2], password: 'district-password-1' });
  expect(created.status).toBe(201);
  coordD2 = await as(s, 'coord-d2', { password: 'district-password-1' });
  await ingestOk(s, [
    ...['I-1', 'I-2', 'I-3', 'I-V', 'I-T', 'I-RA', 'I-RB', 'I-K', 'I-F'].map((id, i) => reportAt(id, 10 + i)),
    reportAt('I-D3', 210),
    ...['U-1', 'U-2', 'U-R', 'U-K'].map((unitId) => ce('unit.registered', { unitId, homeGrid: grid(5) })),
    ce('unit.registered', { unitId: 'U-D3', homeGrid: grid(210) }),
  ]);
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

describe('happy paths', () => {
  it('POST /incidents creates an incident (201, version 1, seq) from console/<username>', async () => {
    const c = gridCenter(20);
    const res = await coord.post('/incidents', { incidentId: 'C-1', category: 'theft', priority: 2, location: { lat: c.lat, lon: c.lon }, summary: 'bike stolen' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ id: 'C-1', version: 1, status: 'new', priority: 2, summary: 'bike stolen', gridId: c.gridId });
    expect(typeof res.body.seq).toBe('string');
    const got = await coord.get('/incidents/C-1');
    expect(got.body.version).toBe(1);
    expect(got.body.timeline).toHaveLength(1);
    expect(got.body.timeline[0]).toMatchObject({ type: 'incident.reported', source: 'console/coordinator', seq: res.body.seq });
  });

  it('generates the incidentId when absent; an existing one is 409 incident_exists', async () => {
    const res = await coord.post('/incidents', { category: 'fight', priority: 1 });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).toMatch(/^M-[0-9A-F]{12}$/);
    expect(res.body.location).toBeNull();
    const again = await coord.post('/incidents', { incidentId: 'C-1', category: 'theft', priority: 2 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('incident_exists');
  });

  it('dispatch, transition, release: versions bump, units follow, entries in the timeline', async () => {
    const d = await coord.post('/incidents/I-1/dispatch', { unitIds: ['U-1'], expectedVersion: 1 });
    expect(d.status, d.text).toBe(200);
    expect(d.body).toMatchObject({ id: 'I-1', version: 2, status: 'dispatched', unitIds: ['U-1'] });
    expect(typeof d.body.seq).toBe('string');
    expect((await coord.get('/units/U-1')).body).toMatchObject({ status: 'dispatched', incidentId: 'I-1', version: 2 });

    const t = await coord.post('/incidents/I-1/transition', { to: 'en_route', expectedVersion: 2, note: 'on the way' });
    expect(t.status, t.text).toBe(200);
    expect(t.body).toMatchObject({ version: 3, status: 'en_route' });
    expect((await coord.get('/units/U-1')).body).toMatchObject({ status: 'en_route', version: 3 });

    const rel = await coord.post('/incidents/I-1/release', { unitIds: ['U-1'], expectedVersion: 3 });
    expect(rel.status, rel.text).toBe(200);
    expect(rel.body).toMatchObject({ version: 4, status: 'en_route', unitIds: [] });
    expect((await coord.get('/units/U-1')).body).toMatchObject({ status: 'available', incidentId: null, version: 4 });

    const got = await coord.get('/incidents/I-1');
    expect(got.body.version).toBe(4);
    expect(got.body.timeline.map((e: any) => e.type)).toEqual(['incident.reported', 'incident.dispatched', 'incident.en_route', 'incident.unit_released']);
    expect(got.body.timeline[2]).toMatchObject({ source: 'console/coordinator', seq: t.body.seq, data: { note: 'on the way', by: 'coordinator' } });
  });

  it('link marks a duplicate call', async () => {
    const res = await coord.post('/incidents/I-2/link', { duplicateOf: 'I-3', expectedVersion: 1 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: 'I-2', version: 2, duplicateOf: 'I-3' });
    expect(await timelineTypes('I-2')).toEqual(['incident.reported', 'incident.linked']);
    const self = await coord.post('/incidents/I-3/link', { duplicateOf: 'I-3', expectedVersion: 1 });
    expect(self.status).toBe(400);
    expect(self.body.error.details.errors[0].path).toBe('duplicateOf');
  });
});

describe('state checks (409)', () => {
  it('answers version_conflict with details.current for a stale expectedVersion, appending nothing', async () => {
    const before = await logLength();
    for (const expectedVersion of [0, 2, 99, -1]) {
      const res = await coord.post('/incidents/I-V/transition', { to: 'cancelled', expectedVersion });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('version_conflict');
      expect(res.body.error.details.current).toBe(1);
    }
    const d = await coord.post('/incidents/I-V/dispatch', { unitIds: ['U-2'], expectedVersion: 5 });
    expect(d.status).toBe(409);
    expect(d.body.error.details.current).toBe(1);
    expect(await logLength()).toBe(before);
    expect((await coord.get('/incidents/I-V')).body.version).toBe(1);
  });

  it('answers invalid_transition with the current state for every illegal target from new', async () => {
    for (const to of ['new', 'en_route', 'on_scene', 'resolved', 'closed']) {
      const res = await coord.post('/incidents/I-T/transition', { to, expectedVersion: 1 });
      expect(res.status, to).toBe(409);
      expect(res.body.error.code).toBe('invalid_transition');
      expect(res.body.error.details).toMatchObject({ current: 'new', allowed: ['dispatched', 'cancelled'] });
    }
    expect(await timelineTypes('I-T')).toEqual(['incident.reported']);
    const ok = await coord.post('/incidents/I-T/transition', { to: 'cancelled', expectedVersion: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'cancelled', version: 2 });
    const after = await coord.post('/incidents/I-T/transition', { to: 'new', expectedVersion: 2 });
    expect(after.status).toBe(409);
    expect(after.body.error.details).toMatchObject({ current: 'cancelled', allowed: [] });
  });

  it('lets exactly one of two simultaneous dispatches of one unit win', async () => {
    const [a, b] = await Promise.all([
      coord.post('/incidents/I-RA/dispatch', { unitIds: ['U-R'], expectedVersion: 1 }),
      coord.post('/incidents/I-RB/dispatch', { unitIds: ['U-R'], expectedVersion: 1 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [win, lose] = a.status === 200 ? [a, b] : [b, a];
    expect(['version_conflict', 'unit_unavailable']).toContain(lose.body.error.code);
    const unit = (await coord.get('/units/U-R')).body;
    expect(unit).toMatchObject({ status: 'dispatched', incidentId: win.body.id, version: 2 });
    const loser = (await coord.get(`/incidents/${lose === a ? 'I-RA' : 'I-RB'}`)).body;
    expect(loser).toMatchObject({ version: 1, status: 'new', unitIds: [] });
    // the loser retrying with the fresh state sees the unit busy
    const retry = await coord.post(`/incidents/${loser.id}/dispatch`, { unitIds: ['U-R'], expectedVersion: 1 });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('unit_unavailable');
  });

  it('refuses to release a unit that is not attached', async () => {
    const res = await coord.post('/incidents/I-F/release', { unitIds: ['U-2'], expectedVersion: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_release');
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer unchanged on a repeat and appends nothing', async () => {
    const body = { incidentId: 'C-IDEM', category: 'theft', priority: 3 };
    const first = await send(coord, '/incidents', body, { 'idempotency-key': 'k-create-1' });
    expect(first.status, first.text).toBe(201);
    const before = await logLength();
    const again = await send(coord, '/incidents', body, { 'idempotency-key': 'k-create-1' });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await logLength()).toBe(before);

    const d1 = await send(coord, '/incidents/I-K/dispatch', { unitIds: ['U-K'], expectedVersion: 1 }, { 'idempotency-key': 'k-dispatch' });
    expect(d1.status).toBe(200);
    const n = await logLength();
    const d2 = await send(coord, '/incidents/I-K/dispatch', { unitIds: ['U-K'], expectedVersion: 1 }, { 'idempotency-key': 'k-dispatch' });
    expect(d2.status).toBe(200);
    expect(d2.body).toEqual(d1.body);
    expect(await logLength()).toBe(n);
    expect(await timelineTypes('I-K')).toEqual(['incident.reported', 'incident.dispatched']);
  });

  it('refuses the same key with a different request (422 idempotency_conflict); keys are per user', async () => {
    const res = await send(coord, '/incidents', { incidentId: 'C-OTHER', category: 'theft', priority: 3 }, { 'idempotency-key': 'k-create-1' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_conflict');
    const other = await send(coordD2, '/incidents', { incidentId: 'C-D2', category: 'theft', priority: 3, location: gridCenter(30) }, { 'idempotency-key': 'k-create-1' });
    expect(other.status, other.text).toBe(201);
  });
});

describe('access, scope and validation', () => {
  it('answers 403 to a duty officer on every command', async () => {
    for (const [path, body] of [
      ['/incidents', { category: 'theft', priority: 2 }],
      ['/incidents/I-F/dispatch', { unitIds: ['U-2'], expectedVersion: 1 }],
      ['/incidents/I-F/release', { unitIds: ['U-2'], expectedVersion: 1 }],
      ['/incidents/I-F/link', { duplicateOf: 'I-3', expectedVersion: 1 }],
      ['/incidents/I-F/transition', { to: 'cancelled', expectedVersion: 1 }],
    ] as const) {
      const res = await duty.post(path, body);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('answers 404 for an incident outside a district coordinator\'s scope, 400 for a unit outside it', async () => {
    const res = await coordD2.post('/incidents/I-D3/transition', { to: 'cancelled', expectedVersion: 1 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await coordD2.post('/incidents/I-D3/dispatch', { unitIds: ['U-2'], expectedVersion: 1 })).status).toBe(404);
    const unit = await coordD2.post('/incidents/I-F/dispatch', { unitIds: ['U-D3'], expectedVersion: 1 });
    expect(unit.status).toBe(400);
    expect(unit.body.error.details.errors[0]).toMatchObject({ path: 'unitIds.0', code: 'unknown_unit' });
    expect((await coord.get('/incidents/I-D3')).body.version).toBe(1);
    expect(D3).not.toBe(D2);
  });

  it('answers 400 naming the field', async () => {
    const missing = await coord.post('/incidents/I-F/transition', { to: 'cancelled' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.errors.map((e: any) => e.path)).toEqual(['expectedVersion']);
    const frac = await coord.post('/incidents/I-F/transition', { to: 'cancelled', expectedVersion: 1.5 });
    expect(frac.body.error.details.errors[0].path).toBe('expectedVersion');
    const to = await coord.post('/incidents/I-F/transition', { to: 'flying', expectedVersion: 1 });
    expect(to.body.error.details.errors[0].path).toBe('to');
    const unknown = await coord.post('/incidents/I-F/dispatch', { unitIds: ['U-2', 'U-NOPE'], expectedVersion: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.errors[0]).toMatchObject({ path: 'unitIds.1', code: 'unknown_unit' });
    const create = await coord.post('/incidents', { category: 'theft' });
    expect(create.status).toBe(400);
    expect(create.body.error.details.errors[0].path).toBe('priority');
    // validation before existence: a bad body on a missing incident is 400, a good one 404
    expect((await coord.post('/incidents/NOPE/transition', { to: 'cancelled' })).status).toBe(400);
    expect((await coord.post('/incidents/NOPE/transition', { to: 'cancelled', expectedVersion: 1 })).status).toBe(404);
    expect((await coord.get('/incidents/I-F')).body.version).toBe(1);
  });

  it('audits each command', async () => {
    const raw = (await r.xrevrange('audit', '+', '-', 'COUNT', 200)) as [string, string[]][];
    const recs = raw.map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!) as { action: string; result: string; user: string; object: string });
    for (const action of ['incidents.create', 'incidents.dispatch', 'incidents.release', 'incidents.link', 'incidents.transition']) {
      expect(recs.some((x) => x.action === action && x.result === 'success' && x.user === 'coordinator'), action).toBe(true);
    }
    expect(recs.some((x) => x.action === 'incidents.transition' && x.result === 'failure')).toBe(true);
  });
});
