// The simulator's unit terminals (server/sim/terminals.ts): which log entries mean what, the
// acknowledgement timing, and a unit's whole answer to a console dispatch inside the model —
// without sockets: commands go straight into SimModel.step.
import { describe, expect, it } from 'vitest';
import { EVENT_DATA_SCHEMAS, isEventType } from '../../shared/events.js';
import { SIM_EVENT_TYPES } from '../../server/sim/event-types.js';
import { type SimEvent, type SimGrid, SimModel, type TerminalCommand } from '../../server/sim/model.js';
import type { SimOptions } from '../../server/sim/model.js';
import { Rng } from '../../server/sim/random.js';
import { offsetM } from '../../server/sim/space.js';
import { ackDelayMs, readEntry, TERMINAL_TIMING } from '../../server/sim/terminals.js';

// A 10 x 10 city of 600 m squares in two districts (as in sim-model.test.ts).
const LAT0 = 30.5;
const LON0 = 114.2;
const STEP = 0.006;
function grids(): SimGrid[] {
  const out: SimGrid[] = [];
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < 10; c++) {
      const minLon = LON0 + c * STEP;
      const minLat = LAT0 + r * STEP;
      out.push({
        id: `G${r}${c}`, areaType: 'urban', centroid: { lat: minLat + STEP / 2, lon: minLon + STEP / 2 },
        bbox: [minLon, minLat, minLon + STEP, minLat + STEP], districtId: c < 5 ? 'D1' : 'D2', place: '测试街道',
      });
    }
  }
  return out;
}

const START = Date.UTC(2025, 0, 6, 10, 0); // 18:00 in Asia/Shanghai
const SECOND = 1000;
const MINUTE = 60_000;

/** Steps a model second by second, keeping every event; commands go in with the next step. */
class Driver {
  readonly model: SimModel;
  readonly events: SimEvent[] = [];
  now = START;

  constructor(opts: Partial<SimOptions> = {}) {
    this.model = new SimModel({ grids: grids(), seed: 11, startMs: START, units: 6, speed: 1, quiet: true, noAckShare: 0, ...opts });
    this.step(); // registrations
  }

  step(commands: TerminalCommand[] = []): SimEvent[] {
    this.now += SECOND;
    const out = this.model.step(this.now, SECOND, commands);
    this.events.push(...out);
    return out;
  }

  /** Steps until `done` holds (checked after each step), at most `ms` of simulated time. */
  until(done: () => boolean, ms: number, what: string): void {
    const end = this.now + ms;
    while (!done()) {
      if (this.now >= end) throw new Error(`not within ${ms / MINUTE} min: ${what}`);
      this.step();
    }
  }

  about(incidentId: string): SimEvent[] {
    return this.events.filter((e) => e.data.incidentId === incidentId);
  }

  statuses(unitId: string): string[] {
    return this.events.filter((e) => e.type === 'unit.status' && e.data.unitId === unitId).map((e) => String(e.data.status));
  }

  /** An available, patrolling unit and a point a few hundred metres from it. */
  pick(): { unitId: string; callsign: string; near: { lat: number; lon: number } } {
    const u = this.model.units.find((x) => x.status === 'available' && x.mode === 'patrol')!;
    const near = offsetM(u.pos, 250, 250);
    const inside = near.lat < LAT0 + 10 * STEP && near.lon < LON0 + 10 * STEP ? near : offsetM(u.pos, -250, -250);
    return { unitId: u.id, callsign: u.callsign, near: { lat: inside.lat, lon: inside.lon } };
  }
}

const dispatch = (unitId: string, incidentId: string, location: { lat: number; lon: number } | null, category = 'theft'): TerminalCommand =>
  ({ kind: 'dispatched', unitId, incidentId, incident: { location, category, priority: 2 } });

const entry = (type: string, data: Record<string, unknown>) => ({ type, data });

describe('readEntry', () => {
  const owns = (id: string) => id.startsWith('SIM1-');

  it('turns dispatches and releases of our units into commands, one per unit, ignoring others', () => {
    expect(readEntry(entry('incident.dispatched', { incidentId: 'I1', unitIds: ['SIM1-U001', 'X-9', 'SIM1-U002'] }), owns)).toEqual([
      { kind: 'dispatched', unitId: 'SIM1-U001', incidentId: 'I1' },
      { kind: 'dispatched', unitId: 'SIM1-U002', incidentId: 'I1' },
    ]);
    expect(readEntry(entry('incident.dispatched', { incidentId: 'I1', unitIds: ['X-9'] }), owns)).toEqual([]);
    expect(readEntry(entry('incident.unit_released', { incidentId: 'I1', unitIds: ['SIM1-U002'] }), owns)).toEqual([
      { kind: 'released', unitId: 'SIM1-U002', incidentId: 'I1' },
    ]);
  });

  it('reports endings and new locations of any incident, and nothing for other entries', () => {
    expect(readEntry(entry('incident.cancelled', { incidentId: 'I1' }), owns)).toEqual([{ kind: 'ended', incidentId: 'I1', how: 'cancelled' }]);
    expect(readEntry(entry('incident.closed', { incidentId: 'I1' }), owns)).toEqual([{ kind: 'ended', incidentId: 'I1', how: 'closed' }]);
    expect(readEntry(entry('incident.resolved', { incidentId: 'I1' }), owns)).toEqual([{ kind: 'ended', incidentId: 'I1', how: 'resolved' }]);
    expect(readEntry(entry('incident.updated', { incidentId: 'I1', location: { lat: 30.5, lon: 114.2 } }), owns))
      .toEqual([{ kind: 'located', incidentId: 'I1', location: { lat: 30.5, lon: 114.2 } }]);
    expect(readEntry(entry('incident.updated', { incidentId: 'I1', summary: 'x' }), owns)).toEqual([]);
    for (const type of ['incident.reported', 'incident.acknowledged', 'incident.en_route', 'unit.status', 'alert.raised']) {
      expect(readEntry(entry(type, { incidentId: 'I1', unitIds: ['SIM1-U001'], unitId: 'SIM1-U001' }), owns)).toEqual([]);
    }
    // malformed data is no command
    expect(readEntry(entry('incident.dispatched', { unitIds: ['SIM1-U001'] }), owns)).toEqual([]);
    expect(readEntry(entry('incident.dispatched', { incidentId: 'I1', unitIds: 'SIM1-U001' }), owns)).toEqual([]);
  });
});

describe('ackDelayMs', () => {
  it('has a median near 20 s, a long tail, about 5% never, and scales with the speed', () => {
    const rng = new Rng(5);
    const draws = Array.from({ length: 20_000 }, () => ackDelayMs(rng, 1));
    const never = draws.filter((d) => d === null).length / draws.length;
    expect(never).toBeGreaterThan(0.035);
    expect(never).toBeLessThan(0.065);
    const sorted = draws.filter((d): d is number => d !== null).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(median).toBeGreaterThan(18_000);
    expect(median).toBeLessThan(22_000);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeGreaterThan(45_000); // late enough now and then for a timeout
    expect(sorted[0]!).toBeGreaterThan(0);
    const fast = ackDelayMs(new Rng(9), 100, 0)!;
    expect(fast).toBeCloseTo(ackDelayMs(new Rng(9), 1, 0)! / 100, 6);
    expect(ackDelayMs(new Rng(9), 1, 1)).toBeNull();
    expect(TERMINAL_TIMING.noAckShare).toBe(0.05);
  });
});

describe('a console dispatch of a simulator unit', () => {
  it('is acknowledged, driven to, worked on scene, resolved, and the unit is available again', () => {
    const d = new Driver();
    const { unitId, callsign, near } = d.pick();
    expect(d.model.ownsUnit(unitId)).toBe(true);
    expect(unitId).toMatch(/^SIM11-U\d{3}$/);
    const t0 = d.now + SECOND;
    d.step([dispatch(unitId, 'C-1', near)]);
    expect(d.model.terminalJob(unitId)).toEqual({ incidentId: 'C-1', phase: 'dispatched' });
    expect(d.model.units.find((u) => u.id === unitId)!.status).toBe('dispatched');
    d.until(() => d.model.terminalJob(unitId) === undefined, 3 * 3_600_000, 'the job to end');

    const job = d.about('C-1');
    expect(job.map((e) => e.type)).toEqual(['incident.acknowledged', 'incident.en_route', 'incident.arrived', 'incident.resolved']);
    for (const e of job) {
      expect(e.source).toBe('sim/terminal');
      expect(e.data).toMatchObject({ incidentId: 'C-1', unitIds: [unitId], by: callsign });
    }
    const at = job.map((e) => Date.parse(e.time));
    expect(at[0]! - t0).toBeGreaterThan(0); // not at once ...
    expect(at[0]! - t0).toBeLessThan(5 * MINUTE); // ... but soon
    expect(at.every((t, i) => i === 0 || t >= at[i - 1]!)).toBe(true);
    expect(at[3]! - at[2]!).toBeGreaterThan(2 * MINUTE); // on scene for a while
    // the unit's own status follows (the server set `dispatched` itself: never sent)
    expect(d.statuses(unitId)).toEqual(['available', 'en_route', 'on_scene', 'available']);
    const resolved = d.events.indexOf(job[3]!);
    expect(d.events.slice(resolved).find((e) => e.type === 'unit.status' && e.data.unitId === unitId)?.data.status).toBe('available');
    expect(d.model.units.find((u) => u.id === unitId)).toMatchObject({ status: 'available', mode: 'patrol' });
    expect(d.model.stats().terminals).toMatchObject({ jobs: 0, acknowledged: 1, resolved: 1, unacknowledged: 0 });
    // positions along the way end near the scene
    const fixes = d.events.filter((e) => e.type === 'unit.position' && e.data.unitId === unitId && Date.parse(e.time) <= at[2]!);
    const last = fixes[fixes.length - 1]!.data as { lat: number; lon: number };
    expect(Math.abs(last.lat - near.lat) + Math.abs(last.lon - near.lon)).toBeLessThan(0.002);
  });

  it('never sends incident.dispatched, nor anything outside the simulator key\'s types and sim/ sources', () => {
    const d = new Driver({ quiet: false, units: 50 });
    for (let i = 0; i < 5; i++) {
      d.until(() => d.model.units.some((u) => u.status === 'available' && u.mode === 'patrol'), 3_600_000, 'a free unit');
      const { unitId, near } = d.pick();
      d.step([dispatch(unitId, `C-${i}`, near)]);
      d.until(() => d.model.terminalJob(unitId) === undefined, 3_600_000, 'the job to end');
    }
    d.until(() => d.now > START + 3 * 3_600_000, 4 * 3_600_000, 'three hours');
    const allowed = new Set<string>(SIM_EVENT_TYPES);
    const bad = d.events.filter((e) => !allowed.has(e.type) || !e.source.startsWith('sim/'));
    expect(bad.slice(0, 3)).toEqual([]);
    expect(d.events.some((e) => e.type === 'incident.dispatched')).toBe(false);
    for (const e of d.events.filter((x) => x.type.startsWith('incident.') && x.source === 'sim/terminal')) {
      expect(isEventType(e.type) && EVENT_DATA_SCHEMAS[e.type].safeParse(e.data).success, JSON.stringify(e)).toBe(true);
    }
  });

  it('stops at a release: no more reports, the unit available without announcing it, and back in the pool', () => {
    const d = new Driver({ quiet: false, units: 10, speed: 4 });
    const { unitId, near } = d.pick();
    d.step([dispatch(unitId, 'C-R', near)]);
    d.until(() => d.model.terminalJob(unitId)?.phase === 'en_route', 10 * MINUTE, 'en route');
    d.step([{ kind: 'released', unitId, incidentId: 'C-R' }]);
    expect(d.model.terminalJob(unitId)).toBeUndefined();
    const unit = d.model.units.find((u) => u.id === unitId)!;
    expect(unit.incidentId === undefined || unit.incidentId.startsWith('SIM11-')).toBe(true);
    // a later step may self-assign it again; what it must not do is report on C-R or say `available` for the release
    const afterRelease = d.events.length;
    for (let i = 0; i < 3600; i++) d.step();
    expect(d.about('C-R').map((e) => e.type)).toEqual(['incident.acknowledged', 'incident.en_route']);
    const said = d.events.slice(afterRelease).filter((e) => e.type === 'unit.status' && e.data.unitId === unitId).map((e) => e.data.status);
    expect(said[0] ?? 'en_route').not.toBe('available');
  });

  it('stops when the incident is cancelled or closed elsewhere', () => {
    for (const how of ['cancelled', 'closed'] as const) {
      const d = new Driver();
      const { unitId, near } = d.pick();
      d.step([dispatch(unitId, 'C-X', near)]);
      d.until(() => d.model.terminalJob(unitId)?.phase === 'acknowledged', 10 * MINUTE, 'acknowledged');
      d.step([{ kind: 'ended', incidentId: 'C-X', how }]);
      expect(d.model.terminalJob(unitId)).toBeUndefined();
      for (let i = 0; i < 600; i++) d.step();
      expect(d.about('C-X').map((e) => e.type)).toEqual(['incident.acknowledged']);
      expect(d.model.units.find((u) => u.id === unitId)!.status).toBe('available');
    }
  });

  it('sometimes never acknowledges: the unit stays dispatched and out of the pool until released', () => {
    const d = new Driver({ quiet: false, units: 8, noAckShare: 1 });
    const { unitId, near } = d.pick();
    d.step([dispatch(unitId, 'C-N', near)]);
    for (let i = 0; i < 3600; i++) d.step();
    expect(d.about('C-N')).toEqual([]);
    expect(d.model.terminalJob(unitId)).toEqual({ incidentId: 'C-N', phase: 'dispatched' });
    expect(d.model.units.find((u) => u.id === unitId)!.status).toBe('dispatched');
    // not self-assigned meanwhile although calls came in
    expect(d.events.some((e) => e.type === 'incident.en_route' && (e.data.unitIds as string[]).includes(unitId))).toBe(false);
    expect(d.model.stats().terminals.unacknowledged).toBe(1);
    d.step([{ kind: 'released', unitId, incidentId: 'C-N' }]);
    expect(d.model.units.find((u) => u.id === unitId)!.status).not.toBe('dispatched');
  });

  it('keeps a dispatched unit out of self-assignment, and hands back a call it had just taken', () => {
    const d = new Driver({ quiet: false, units: 10, speed: 3 });
    d.until(() => d.model.units.some((u) => u.mode === 'respond' && u.incidentId?.startsWith('SIM11-')), 3 * 3_600_000, 'a self-assigned unit');
    const busy = d.model.units.find((u) => u.mode === 'respond' && u.incidentId?.startsWith('SIM11-'))!;
    const own = busy.incidentId!;
    // the console's dispatch and the self-assignment crossed: the terminal takes the console's job
    const from = d.events.length;
    d.step([dispatch(busy.id, 'C-H', { ...busy.pos })]);
    const released = d.events.filter((e) => e.type === 'incident.unit_released');
    expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ incidentId: own, unitIds: [busy.id], by: busy.callsign })]);
    d.until(() => d.model.terminalJob(busy.id) === undefined, 3 * 3_600_000, 'the console job to end');
    // during the job the unit reported on C-H only
    const jobEnd = d.events.findIndex((e) => e.type === 'incident.resolved' && e.data.incidentId === 'C-H');
    const during = d.events.slice(from, jobEnd + 1)
      .filter((e) => (e.data.unitIds as string[] | undefined)?.includes(busy.id) && e.type !== 'incident.unit_released');
    expect(during.map((e) => `${e.type} ${String(e.data.incidentId)}`)).toEqual(
      ['incident.acknowledged', 'incident.en_route', 'incident.arrived', 'incident.resolved'].map((t) => `${t} C-H`));
    // the handed-back call is taken by another unit (or is still waiting for one)
    const retaken = d.events.find((e) => e.type === 'incident.en_route' && e.data.incidentId === own && !(e.data.unitIds as string[]).includes(busy.id));
    const ended = d.about(own).some((e) => ['incident.cancelled', 'incident.resolved'].includes(e.type));
    expect(Boolean(retaken) || ended || d.model.stats().waitingIncidents > 0).toBe(true);
  });

  it('answers a dispatch to one of its own waiting calls: no self-assignment, the call centre closes it after', () => {
    const d = new Driver({ quiet: false, units: 6 });
    type Call = { incidentId: string; location: { lat: number; lon: number }; category: string };
    let call: Call | undefined;
    let unitId = '';
    // a call just reported (still with the call-taker, so nobody self-assigned it) and a free unit
    for (let i = 0; i < 3 * 3600 && !call; i++) {
      const report = d.step().find((e) => e.type === 'incident.reported' && e.data.location);
      const free = d.model.units.find((u) => u.status === 'available' && u.mode === 'patrol');
      if (report && free) {
        call = report.data as Call;
        unitId = free.id;
      }
    }
    expect(call).toBeDefined();
    d.step([dispatch(unitId, call!.incidentId, call!.location, call!.category)]);
    d.until(() => d.about(call!.incidentId).some((e) => e.type === 'incident.closed' || e.type === 'incident.cancelled'), 6 * 3_600_000, 'closed');
    const about = d.about(call!.incidentId);
    const types = about.map((e) => `${e.type}${e.source === 'sim/terminal' ? '@terminal' : ''}`);
    if (types.includes('incident.cancelled')) return; // the caller withdrew (a few percent): nothing more to see
    // every unit report on it is the dispatched unit's: self-assignment left it alone
    expect(about.filter((e) => e.source === 'sim/terminal').every((e) => (e.data.unitIds as string[])[0] === unitId), types.join()).toBe(true);
    expect(types.filter((t) => t.endsWith('@terminal'))).toEqual(
      ['incident.acknowledged@terminal', 'incident.en_route@terminal', 'incident.arrived@terminal', 'incident.resolved@terminal']);
    expect(types[types.length - 1]).toBe('incident.closed');
    expect(about[about.length - 1]!.source).toBe(about[0]!.source); // closed by the channel that reported it
  });

  it('waits for a location before setting off, and follows a moved one', () => {
    const d = new Driver();
    const { unitId, near } = d.pick();
    d.step([dispatch(unitId, 'C-L', null)]);
    d.until(() => d.model.terminalJob(unitId)?.phase === 'acknowledged', 10 * MINUTE, 'acknowledged');
    for (let i = 0; i < 300; i++) d.step();
    expect(d.about('C-L').map((e) => e.type)).toEqual(['incident.acknowledged']);
    d.step([{ kind: 'located', incidentId: 'C-L', location: near }]);
    d.until(() => d.model.terminalJob(unitId) === undefined, 3 * 3_600_000, 'the job to end');
    expect(d.about('C-L').map((e) => e.type)).toEqual(['incident.acknowledged', 'incident.en_route', 'incident.arrived', 'incident.resolved']);
  });

  it('takes a snapshot and a repeated dispatch in its stride: one job, ended when the server no longer holds it', () => {
    const d = new Driver();
    const { unitId, near } = d.pick();
    d.step([dispatch(unitId, 'C-S', near)]);
    d.step([dispatch(unitId, 'C-S', near), { kind: 'snapshot', units: [{ unitId, status: 'dispatched', incidentId: 'C-S' }] }]);
    d.until(() => d.model.terminalJob(unitId)?.phase === 'acknowledged', 10 * MINUTE, 'acknowledged');
    expect(d.about('C-S').map((e) => e.type)).toEqual(['incident.acknowledged']);
    // released while the link was away: the snapshot shows the unit free
    d.step([{ kind: 'snapshot', units: [{ unitId, status: 'available', incidentId: null }] }]);
    expect(d.model.terminalJob(unitId)).toBeUndefined();
    // a dispatch elsewhere replaces an old job the server forgot
    d.step([dispatch(unitId, 'C-T', near)]);
    d.step([dispatch(unitId, 'C-U', near)]);
    expect(d.model.terminalJob(unitId)).toEqual({ incidentId: 'C-U', phase: 'dispatched' });
  });

  it('is deterministic for the same commands', () => {
    const run = () => {
      const d = new Driver({ quiet: false, units: 6, noAckShare: 0.05 });
      const { unitId, near } = d.pick();
      d.step([dispatch(unitId, 'C-D', near)]);
      for (let i = 0; i < 1800; i++) d.step();
      return JSON.stringify(d.events);
    };
    expect(run()).toBe(run());
  });
});
