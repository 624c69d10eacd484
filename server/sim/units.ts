import type { UnitStatus } from '../../shared/events.js';
import type { Location } from '../../shared/jurisdiction.js';
import { MINUTE, type SimContext } from './context.js';
import type { Rng } from './random.js';
import { bearingDeg, distanceM, moveToward, offsetM, round6, type SimGrid } from './space.js';

export type UnitKind = 'car' | 'foot' | 'bike' | 'community_patrol';
type Mode = 'patrol' | 'dwell' | 'respond' | 'on_scene' | 'break';

/** Patrol and response speeds in m/s; response speeds are straight-line equivalents. */
const SPEEDS: Record<UnitKind, { patrol: number; respond: number }> = {
  car: { patrol: 7, respond: 11 },
  foot: { patrol: 1.2, respond: 2 },
  bike: { patrol: 3.5, respond: 5 },
  community_patrol: { patrol: 1, respond: 1.6 },
};
const KINDS: readonly (readonly [UnitKind, number])[] = [['car', 50], ['foot', 20], ['bike', 15], ['community_patrol', 15]];
const CALLSIGN: Record<UnitKind, (n: number) => string> = {
  car: (n) => `巡逻${n}车`,
  foot: (n) => `步巡${n}组`,
  bike: (n) => `骑巡${n}组`,
  community_patrol: (n) => `社区巡防${n}队`,
};
const SKILLS: Record<UnitKind, readonly string[]> = {
  car: ['patrol', 'traffic', 'first_aid'],
  foot: ['patrol', 'mediation'],
  bike: ['patrol', 'first_aid'],
  community_patrol: ['mediation', 'community'],
};
/** Units arriving within this distance are on scene (GPS and parking slack). */
const ARRIVAL_RADIUS_M = 25;
/** GPS fixes older than this when a step runs (the feeder was stalled) are not worth sending. */
const STALE_FIX_MS = 60_000;

export interface SimUnit {
  id: string;
  callsign: string;
  kind: UnitKind;
  home: SimGrid;
  status: UnitStatus;
  mode: Mode;
  pos: Location;
  heading: number;
  target: Location;
  /** Grid of the patrol waypoint: dwelling there counts as hot-spot patrol. */
  targetGrid: SimGrid | undefined;
  movedAt: number;
  modeSince: number;
  /** Last reported point that lay inside a grid. */
  lastInside?: Location;
  incidentId?: string;
}

/** Patrol units: registration, movement along patrol paths, GPS fixes, breaks and check-ins. */
export class Fleet {
  readonly units: SimUnit[] = [];
  private readonly byIdMap = new Map<string, SimUnit>();

  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly hotspots: ReadonlySet<string>,
    private readonly onArrived: (unit: SimUnit, at: number) => void,
    private readonly onFree: (at: number) => void,
  ) {}

  /**
   * Registers `count` units and starts their clocks. Homes are spread by expected workload:
   * striding through the cumulative load of the id-sorted grids gives each district units in
   * proportion to its incidents, so stations rarely need help from their neighbours.
   */
  start(count: number, at: number, load: (grid: SimGrid) => number): void {
    const grids = this.ctx.map.grids;
    const cumulative: number[] = [];
    let total = 0;
    for (const g of grids) cumulative.push((total += load(g)));
    const perKind = new Map<UnitKind, number>();
    let k = 0;
    for (let i = 0; i < count; i++) {
      const target = ((i + this.rng.next()) / count) * total;
      while (k < grids.length - 1 && (cumulative[k] ?? 0) < target) k++;
      const home = grids[k] ?? this.rng.pick(grids);
      const kind = this.rng.weighted(KINDS);
      const n = (perKind.get(kind) ?? 0) + 1;
      perKind.set(kind, n);
      const pos = this.ctx.map.randomPointIn(home, this.rng);
      const unit: SimUnit = {
        // The seed's prefix without the run tag: a restarted demo re-registers the same roster
        // instead of adding 50 more units, and its terminals still know their units by it.
        id: `${this.ctx.unitPrefix}-U${String(i + 1).padStart(3, '0')}`,
        callsign: CALLSIGN[kind](n),
        kind,
        home,
        status: 'available',
        mode: 'patrol',
        pos,
        heading: this.rng.range(0, 360),
        target: pos,
        targetGrid: home,
        movedAt: at,
        modeSince: at,
      };
      this.units.push(unit);
      this.byIdMap.set(unit.id, unit);
      const skills = SKILLS[kind].filter((s, j) => j === 0 || this.rng.chance(0.6));
      this.ctx.sink.emit('unit.registered', 'sim/roster', at, {
        unitId: unit.id, callsign: unit.callsign, kind, homeGrid: home.id, skills,
      });
      this.setStatus(unit, 'available', at);
      this.nextWaypoint(unit);
      // Spread first fixes over the interval so the feed is smooth, not bursty.
      this.ctx.scheduler.at(at + this.rng.range(0, 3000), (t) => this.fix(unit, t));
      this.ctx.scheduler.at(at + this.rng.exp(5 * 60 * MINUTE), (t) => this.takeBreak(unit, t));
    }
  }

  /** One of this simulator's units, or undefined. */
  byId(id: string): SimUnit | undefined {
    return this.byIdMap.get(id);
  }

  setStatus(unit: SimUnit, status: UnitStatus, at: number): void {
    unit.status = status;
    this.ctx.sink.emit('unit.status', 'sim/terminal', at, { unitId: unit.id, status });
  }

  /** Available units that may be sent (patrolling or dwelling; a check-in is cut short). */
  available(): SimUnit[] {
    return this.units.filter((u) => u.status === 'available' && (u.mode === 'patrol' || u.mode === 'dwell'));
  }

  /** Estimated straight-line travel time with a road factor, in ms. */
  etaMs(unit: SimUnit, to: Location): number {
    return ((distanceM(unit.pos, to) * 1.3) / SPEEDS[unit.kind].respond) * 1000;
  }

  /** Sends the unit to a point; it reports arrival through onArrived. */
  respond(unit: SimUnit, incidentId: string, to: Location, at: number): void {
    this.advance(unit, at);
    if (unit.mode === 'dwell' && at > unit.modeSince) this.checkin(unit, at);
    unit.mode = 'respond';
    unit.modeSince = at;
    unit.target = to;
    unit.incidentId = incidentId;
  }

  /**
   * Back to patrol in the home district, available again. `announce: false` when the server
   * already freed the unit (a release, a closure): a `unit.status` sent now could land after a
   * coordinator's next dispatch of it and undo that.
   */
  release(unit: SimUnit, at: number, announce = true): void {
    this.advance(unit, at);
    delete unit.incidentId;
    unit.mode = 'patrol';
    unit.modeSince = at;
    if (announce) this.setStatus(unit, 'available', at);
    else unit.status = 'available';
    this.nextWaypoint(unit);
    this.onFree(at);
  }

  /**
   * A coordinator dispatched the unit: out of the self-assignment pool (status `dispatched`,
   * which the server already holds, so nothing is sent), off a break or a self-assigned call
   * (the caller hands that call back first), patrolling on until the terminal acknowledges.
   */
  takeForDispatch(unit: SimUnit, at: number): void {
    const wasBusy = unit.mode === 'break' || unit.mode === 'respond' || unit.mode === 'on_scene';
    if (wasBusy) unit.mode = 'patrol';
    this.advance(unit, at);
    if (wasBusy) {
      unit.modeSince = at;
      this.nextWaypoint(unit);
    }
    delete unit.incidentId;
    unit.status = 'dispatched';
  }

  private fix(unit: SimUnit, at: number): void {
    const before = { ...unit.pos };
    const movedAt = unit.movedAt;
    this.advance(unit, at);
    const dt = (at - movedAt) / 1000;
    const speed = dt > 0 ? distanceM(before, unit.pos) / dt : 0;
    if (speed > 0.2) unit.heading = bearingDeg(before, unit.pos);
    if (at >= this.ctx.nowMs - STALE_FIX_MS) {
      const accuracy = Math.round(this.rng.range(3, 15));
      const jittered = offsetM(unit.pos, (this.rng.normal() * accuracy) / 3, (this.rng.normal() * accuracy) / 3);
      // Fixes stay on the map: noise at the city's edge, or a straight path across a notch in
      // its outline, would otherwise be flagged out of area by the server.
      const map = this.ctx.map;
      const noisy = map.locate(jittered) ? jittered : map.locate(unit.pos) ? unit.pos : (unit.lastInside ?? map.clamp(unit.pos));
      unit.lastInside = noisy;
      this.ctx.sink.emit('unit.position', 'sim/gps', at, {
        unitId: unit.id,
        ...round6(noisy),
        speed: Math.round(speed * 10) / 10,
        heading: Math.round(unit.heading) % 360,
        accuracy,
      });
    }
    this.ctx.scheduler.at(at + this.rng.range(3000, 5000), (t) => this.fix(unit, t));
  }

  /** Moves the unit along its path up to `at` and handles reaching the target. */
  private advance(unit: SimUnit, at: number): void {
    const dt = Math.max(0, at - unit.movedAt) / 1000;
    unit.movedAt = at;
    if (unit.mode !== 'patrol' && unit.mode !== 'respond') return;
    const speed = unit.mode === 'respond' ? SPEEDS[unit.kind].respond : SPEEDS[unit.kind].patrol;
    const step = moveToward(unit.pos, unit.target, speed * dt);
    unit.pos = step.at;
    if (unit.mode === 'respond' && distanceM(unit.pos, unit.target) <= ARRIVAL_RADIUS_M) {
      unit.mode = 'on_scene';
      unit.modeSince = at;
      this.onArrived(unit, at);
    } else if (unit.mode === 'patrol' && step.reached) {
      const grid = unit.targetGrid;
      if (grid && this.hotspots.has(grid.id) && this.rng.chance(0.7)) {
        unit.mode = 'dwell';
        unit.modeSince = at;
        const dwell = this.rng.range(3, 10) * MINUTE;
        this.ctx.scheduler.at(at + dwell, (t) => this.endDwell(unit, t, dwell));
      } else {
        this.nextWaypoint(unit);
      }
    }
  }

  private endDwell(unit: SimUnit, at: number, planned: number): void {
    // A dispatch may have cut the dwell short; then the check-in was already sent.
    if (unit.mode !== 'dwell' || at - unit.modeSince < planned) return;
    this.checkin(unit, at);
    unit.mode = 'patrol';
    unit.modeSince = at;
    this.nextWaypoint(unit);
  }

  private checkin(unit: SimUnit, at: number): void {
    this.ctx.sink.emit('patrol.checkin', 'sim/terminal', at, {
      unitId: unit.id,
      location: round6(unit.pos),
      dwellSeconds: Math.round((at - unit.modeSince) / 1000),
    });
  }

  /** A meal break now and then: a short `busy` spell while patrolling. */
  private takeBreak(unit: SimUnit, at: number): void {
    if (unit.status === 'available' && unit.mode === 'patrol') {
      this.advance(unit, at);
      unit.mode = 'break';
      unit.modeSince = at;
      this.setStatus(unit, 'busy', at);
      this.ctx.scheduler.at(at + this.rng.range(15, 40) * MINUTE, (t) => {
        if (unit.mode === 'break') this.release(unit, t);
      });
    }
    this.ctx.scheduler.at(at + this.rng.exp(5 * 60 * MINUTE), (t) => this.takeBreak(unit, t));
  }

  /** Patrol paths wander the home district, drawn to its hotspots a third of the time. */
  private nextWaypoint(unit: SimUnit): void {
    const district = this.ctx.map.districtOf(unit.home);
    const hot = district.filter((g) => this.hotspots.has(g.id));
    // Foot and community patrols stay close to home; a whole district is too far to walk.
    const near = unit.kind === 'car' || unit.kind === 'bike'
      ? district
      : district.filter((g) => distanceM(g.centroid, unit.home.centroid) < 1500);
    const pool = hot.length > 0 && this.rng.chance(0.33) ? hot : near.length > 0 ? near : [unit.home];
    // Prefer a leg that stays on the map (the city outline may be concave).
    for (let attempt = 0; ; attempt++) {
      const grid = this.rng.pick(pool);
      const target = this.ctx.map.randomPointIn(grid, this.rng);
      if (attempt < 5 && !this.legInside(unit.pos, target)) continue;
      unit.targetGrid = grid;
      unit.target = target;
      return;
    }
  }

  private legInside(from: Location, to: Location): boolean {
    for (const f of [0.2, 0.4, 0.6, 0.8]) {
      const p = { lat: from.lat + (to.lat - from.lat) * f, lon: from.lon + (to.lon - from.lon) * f };
      if (!this.ctx.map.locate(p)) return false;
    }
    return true;
  }
}
