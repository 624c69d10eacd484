// The simulator's unit terminals against a real stack (DESIGN §4 `npm run simulate`, §5): demo
// mode seeds the simulator's own ingest key and machine token (DEMO_SIM_*, as `npm start` passes
// them), the simulator runs in-process at high speed with them — never with INGEST_KEYS — and a
// coordinator's dispatch of one of its units from the console is acknowledged, driven to and
// resolved; releases, cancellations and resyncs stop or resume the terminal correctly.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../server/auth/credentials.js';
import { DEMO_SIM_KEY, DEMO_SIM_TOKEN, syncDemoCredentials } from '../../server/auth/demo-credentials.js';
import { SIM_EVENT_TYPES } from '../../server/sim/event-types.js';
import { Simulator } from '../../server/sim/run.js';
import { distanceM } from '../../server/sim/space.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { until } from '../helpers/live-client.js';
import { durableClient, reportAt, sleep } from '../helpers/requests.js';
import { ce, ingestTo, startStack, type Stack } from '../helpers/stack.js';

const secret = (prefix: 'pgk_' | 'pgt_') => `${prefix}${randomBytes(32).toString('base64url')}`;
const SIM_KEY = secret('pgk_');
const SIM_TOKEN = secret('pgt_');
const SEED = 4;

let s: Stack;
let r: Redis;
let coord: Client;
let admin: Client;
let sim: Simulator;
let running: Promise<void>;
const controller = new AbortController();
const logs: string[] = [];

const post = (secretKey: string, events: unknown[]) => ingestTo(s.url, events, { authorization: `Bearer ${secretKey}` });
const incident = async (id: string) => (await coord.get(`/incidents/${id}`)).body;
const timeline = async (id: string) => ((await incident(id)).timeline as any[]).map((e) => e.type as string);

/** Polls GET /incidents/:id until `ok` holds. */
async function waitFor(id: string, ok: (inc: any) => boolean, ms: number, what: string): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const inc = await incident(id);
    if (ok(inc)) return inc;
    if (Date.now() > end) throw new Error(`${id}: timed out waiting for ${what}; now ${inc.status} ${JSON.stringify(inc.timeline.map((e: any) => e.type))}\n${logs.slice(-5).join('\n')}`);
    await sleep(150);
  }
}

/** A unit of ours the server and the model both hold available and patrolling, with a fix. */
async function freeUnit(): Promise<{ id: string; callsign: string; at: { lat: number; lon: number } }> {
  const end = Date.now() + 20_000;
  for (;;) {
    for (const u of sim.model.units.filter((x) => x.status === 'available' && x.mode === 'patrol' && x.lastInside)) {
      // the model may be a tick ahead of the server (its last events still on the way)
      if ((await coord.get(`/units/${u.id}`)).body.status === 'available') return { id: u.id, callsign: u.callsign, at: { ...u.lastInside! } };
    }
    if (Date.now() > end) throw new Error('no free unit');
    await sleep(200);
  }
}

async function create(id: string, at: { lat: number; lon: number }): Promise<void> {
  const res = await coord.post('/incidents', { incidentId: id, category: 'theft', priority: 2, location: { lat: at.lat, lon: at.lon }, summary: 'terminal test' });
  expect(res.status, res.text).toBe(201);
}

async function dispatch(id: string, unitId: string): Promise<void> {
  const inc = await incident(id);
  const res = await coord.post(`/incidents/${id}/dispatch`, { unitIds: [unitId], expectedVersion: inc.version });
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  s = await startStack({ DEMO_SIM_INGEST_KEY: SIM_KEY, DEMO_SIM_TOKEN: SIM_TOKEN });
  r = durableClient(s);
  coord = await as(s, 'coordinator');
  admin = await as(s, 'admin');
  sim = await Simulator.create({
    config: { target: s.url, key: SIM_KEY, readToken: SIM_TOKEN, token: SIM_TOKEN, seed: SEED, speed: 200, units: 8 },
    signal: controller.signal,
    log: (line) => logs.push(line),
    model: { quiet: true, noAckShare: 0 },
  });
  running = sim.run();
  await until(() => sim.link?.hello !== null && sim.link?.hello !== undefined, 20_000, 'the terminals\' hello');
}, 60_000);

afterAll(async () => {
  controller.abort();
  await running?.catch(() => undefined);
  r?.disconnect();
  await s?.stop();
});

describe('the simulator\'s own credentials (demo mode)', () => {
  it('are a key scoped to the simulator\'s types and sim/ sources, and a duty_officer token for the whole city', async () => {
    const res = await admin.get('/admin/keys');
    expect(res.status).toBe(200);
    const key = res.body.items.find((k: any) => k.name === 'simulator');
    const token = res.body.items.find((k: any) => k.name === 'simulator-terminals');
    expect(key).toMatchObject({ id: DEMO_SIM_KEY.id, kind: 'ingest', sources: ['sim/*'], revoked: false, role: null });
    expect([...key.types].sort()).toEqual([...SIM_EVENT_TYPES].sort());
    expect(key.types).not.toContain('incident.dispatched');
    expect(token).toMatchObject({ id: DEMO_SIM_TOKEN.id, kind: 'token', role: 'duty_officer', scopes: [demoTree().cityId], revoked: false });
    expect(res.body.items.filter((k: any) => k.name.startsWith('simulator'))).toHaveLength(2);
  });

  it('connect the terminals to the live protocol with the machine token', () => {
    expect(sim.link!.hello!.user).toMatchObject({ username: 'simulator-terminals', roles: ['duty_officer'], scopes: [demoTree().cityId] });
    expect(sim.link!.stats.connected).toBe(true);
    expect(typeof sim.link!.lastSeq).toBe('string');
  });

  it('let the simulator register its units with its own prefix', async () => {
    await until(() => sim.client.stats.accepted >= 16, 20_000, 'the roster');
    const units = (await coord.get('/units')).body.items.filter((u: any) => u.id.startsWith(`SIM${SEED}-`));
    expect(units).toHaveLength(8);
  });

  it('refuse the key for a source outside sim/ and for a type it may not send', async () => {
    const outside = await post(SIM_KEY, [{ ...reportAt('ST-1', 10), source: 'test/110' }]);
    expect(outside.status).toBe(403);
    const mixed = await post(SIM_KEY, [
      { ...ce('gridworker.report', { kind: 'hazard', summary: 'ok' }), source: 'sim/grid' },
      { ...ce('incident.dispatched', { incidentId: 'ST-1', unitIds: [`SIM${SEED}-U001`] }), source: 'sim/terminal' },
      { ...ce('alert.raised', { alertId: 'A-ST', kind: 'spike', severity: 'info', scope: demoTree().cityId }), source: 'sim/x' },
      { ...reportAt('ST-2', 11), source: 'simulator/110' },
    ]);
    expect(mixed.status, JSON.stringify(mixed.body)).toBe(202);
    expect(mixed.body.accepted).toHaveLength(1);
    expect(mixed.body.rejected.map((x: any) => [x.index, x.errors[0].code])).toEqual([[1, 'forbidden'], [2, 'forbidden'], [3, 'forbidden']]);
    // the token is no ingest key, and the key is no token
    expect((await post(SIM_TOKEN, [{ ...reportAt('ST-3', 12), source: 'sim/110' }])).status).toBe(401);
    const read = await fetch(`${s.url}/api/v1/units`, { headers: { authorization: `Bearer ${SIM_KEY}` } });
    expect(read.status).toBe(401);
  });
});

describe('a coordinator dispatches a simulator unit from the console', () => {
  it('the terminal acknowledges, sets off, arrives, resolves; the unit is available again', async () => {
    const unit = await freeUnit();
    await create('ST-A', unit.at);
    await dispatch('ST-A', unit.id);
    const acked = await waitFor('ST-A', (i) => i.timeline.some((e: any) => e.type === 'incident.acknowledged'), 15_000, 'the acknowledgement');
    const ack = acked.timeline.find((e: any) => e.type === 'incident.acknowledged');
    expect(ack).toMatchObject({ source: 'sim/terminal', data: { incidentId: 'ST-A', unitIds: [unit.id], by: unit.callsign } });
    const done = await waitFor('ST-A', (i) => i.status === 'resolved', 60_000, 'resolved');
    const types = done.timeline.map((e: any) => e.type);
    expect(types).toEqual(['incident.reported', 'incident.dispatched', 'incident.acknowledged', 'incident.en_route', 'incident.arrived', 'incident.resolved']);
    expect(done.timeline[1]).toMatchObject({ source: 'console/coordinator' });
    for (const e of done.timeline.slice(2)) expect(e).toMatchObject({ source: 'sim/terminal', data: { unitIds: [unit.id], by: unit.callsign } });
    expect(done.unitIds).toEqual([]);
    await until(() => sim.model.terminalJob(unit.id) === undefined, 5_000, 'the job to end');
    await sleep(300);
    expect((await coord.get(`/units/${unit.id}`)).body).toMatchObject({ status: 'available', incidentId: null });
  });

  it('a release stops the job: no arrival, the unit free, nothing announced that could undo a next dispatch', async () => {
    const unit = await freeUnit();
    // a grid 1.5–3 km away: long enough a drive to release it on the way
    const tree = demoTree();
    const far = tree.idsAt('grid').map((_, n) => gridCenter(n)).find((c) => {
      const d = distanceM(unit.at, c);
      return d > 1500 && d < 3000;
    })!;
    await create('ST-R', far);
    await dispatch('ST-R', unit.id);
    await waitFor('ST-R', (i) => i.status === 'en_route', 20_000, 'en route');
    const inc = await incident('ST-R');
    const rel = await coord.post('/incidents/ST-R/release', { unitIds: [unit.id], expectedVersion: inc.version });
    expect(rel.status, rel.text).toBe(200);
    await until(() => sim.model.terminalJob(unit.id) === undefined, 5_000, 'the job to end');
    // the same unit can be dispatched again at once, and that sticks
    await create('ST-R2', far);
    await dispatch('ST-R2', unit.id);
    await waitFor('ST-R2', (i) => i.timeline.some((e: any) => e.type === 'incident.acknowledged'), 15_000, 'the second acknowledgement');
    await sleep(1_500);
    expect(await timeline('ST-R')).toEqual(['incident.reported', 'incident.dispatched', 'incident.acknowledged', 'incident.en_route', 'incident.unit_released']);
    expect((await coord.get(`/units/${unit.id}`)).body).toMatchObject({ incidentId: 'ST-R2' });
    expect(sim.model.terminalJob(unit.id)?.incidentId).toBe('ST-R2');
    const cancel = await coord.post('/incidents/ST-R2/transition', { to: 'cancelled', expectedVersion: (await incident('ST-R2')).version });
    expect(cancel.status, cancel.text).toBe(200);
    await until(() => sim.model.terminalJob(unit.id) === undefined, 5_000, 'the job to end on cancellation');
    await sleep(1_000);
    expect((await timeline('ST-R2')).filter((t) => t === 'incident.arrived' || t === 'incident.resolved')).toEqual([]);
    expect((await coord.get(`/units/${unit.id}`)).body).toMatchObject({ status: 'available', incidentId: null });
  });

  it('after a resync (another log epoch) the terminals reload their units and pick up a dispatch made meanwhile', async () => {
    const link = sim.link!;
    const unit = await freeUnit();
    await create('ST-S', unit.at);
    const resyncs = link.stats.resyncs;
    // the next handshake resumes with an epoch the server does not know: it answers resync
    link.logEpoch = 'not-this-log';
    s.server.live.io.disconnectSockets(true);
    await dispatch('ST-S', unit.id); // while the terminals are away
    await until(() => link.stats.resyncs > resyncs && link.stats.connected, 20_000, 'the resync and reconnection');
    expect(link.logEpoch).toBe(link.hello!.logEpoch);
    const done = await waitFor('ST-S', (i) => i.status === 'resolved', 60_000, 'resolved after the resync');
    expect(done.timeline.filter((e: any) => e.type === 'incident.acknowledged')).toHaveLength(1);
    expect(logs.some((l) => l.includes('resync (epoch_changed)'))).toBe(true);
  });
});

describe('demo restarts', () => {
  it('replace the simulator\'s secrets (the old ones stop working) and revoke them outside demo mode', async () => {
    const tree = demoTree();
    const same = await syncDemoCredentials(r, tree, { DEMO: true, DEMO_SIM_INGEST_KEY: SIM_KEY, DEMO_SIM_TOKEN: SIM_TOKEN });
    expect(same).toEqual(['simulator: unchanged', 'simulator-terminals: unchanged']);
    const next = { key: secret('pgk_'), token: secret('pgt_') };
    expect(await syncDemoCredentials(r, tree, { DEMO: true, DEMO_SIM_INGEST_KEY: next.key, DEMO_SIM_TOKEN: next.token }))
      .toEqual(['simulator: rotated', 'simulator-terminals: rotated']);
    const store = new CredentialStore(r, 0);
    expect(await store.resolve(SIM_KEY, 'ingest')).toBeNull();
    expect(await store.resolve(SIM_TOKEN, 'token')).toBeNull();
    expect(await store.resolve(next.key, 'ingest')).toMatchObject({ id: DEMO_SIM_KEY.id, rotatedAt: expect.any(String) });
    expect(await store.resolve(next.token, 'token')).toMatchObject({ id: DEMO_SIM_TOKEN.id, role: 'duty_officer' });
    expect((await post(next.key, [{ ...reportAt('ST-N', 20), source: 'sim/110' }])).status).toBe(202);
    expect((await admin.get('/admin/keys')).body.items.filter((k: any) => k.name.startsWith('simulator'))).toHaveLength(2);

    expect(await syncDemoCredentials(r, tree, { DEMO: false })).toEqual(['simulator: revoked (demo mode is off)', 'simulator-terminals: revoked (demo mode is off)']);
    expect(await store.resolve(next.key, 'ingest')).toBeNull();
    expect(await store.resolve(next.token, 'token')).toBeNull();
    expect(await syncDemoCredentials(r, tree, { DEMO: false })).toEqual([]);
    // a demo start brings them back with that start's secrets
    expect(await syncDemoCredentials(r, tree, { DEMO: true, DEMO_SIM_INGEST_KEY: SIM_KEY })).toEqual(['simulator: rotated']);
    expect(await store.resolve(SIM_KEY, 'ingest')).toMatchObject({ revoked: false });
  });
});
