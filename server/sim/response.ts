import { HOUR, MINUTE, scaled, type SimContext } from './context.js';
import type { SimIncident } from './incidents.js';
import type { Rng } from './random.js';
import type { Fleet, SimUnit } from './units.js';

/** Median on-scene minutes by category; the rest take ON_SCENE_DEFAULT. */
const ON_SCENE_MIN: Record<string, number> = {
  traffic: 12, theft: 15, dispute: 18, fight: 18, fire: 35, missing_person: 45,
  domestic_violence: 25, burglary: 25, robbery: 30, assault: 25,
};
const ON_SCENE_DEFAULT = 15;
/**
 * Share of incidents that need a patrol unit on scene. The rest are settled by phone or
 * handed to other departments (fraud desks, traffic police, 12345 hotline agencies), as most
 * calls are; without this, 50 units could not keep up with the evening peak.
 */
const NEEDS_UNIT_BY_CATEGORY: Record<string, number> = { fraud: 0.2, traffic: 0.6, dispute: 0.7, noise_complaint: 0.5 };
const NEEDS_UNIT_BY_CHANNEL: Record<string, number> = { 'sim/12345': 0.3, 'sim/grid': 0.5, 'sim/video': 0.8 };
const REMOTE_OUTCOMES = ['已电话回访，指导报警人处置', '已转交相关部门办理', '已指导报警人到派出所报案'];
/** Walking units are only sent to nearby incidents. */
const MAX_ETA_MS = { car: 30 * MINUTE, bike: 20 * MINUTE, foot: 15 * MINUTE, community_patrol: 15 * MINUTE } as const;
/**
 * Units from another district only help out when none of the incident's own district is
 * free (police stations answer for their area); priority 1 simply takes the nearest.
 */
const CROSS_DISTRICT_PENALTY_MS = 24 * 3_600_000;
const CANCEL_SHARE = 0.04;
const UNLOCATABLE_SHARE = 0.25;
/** Callers give up (or another force handles it) when nobody came for this long. */
const GIVE_UP_AFTER = 3 * HOUR;
export const OUTCOMES = ['现场处置完毕', '已调解，双方和解', '已移交相关部门处理', '已开具受案回执', '经核实为误报'];

/** How long a unit stays on scene: a log-normal around the category's median, longer for priority 1. */
export function onSceneMs(ctx: SimContext, rng: Rng, category: string, priority: number): number {
  const median = (ON_SCENE_MIN[category] ?? ON_SCENE_DEFAULT) * (priority === 1 ? 1.5 : 1);
  return scaled(ctx, rng.logNormal(median, 0.4) * MINUTE);
}

/**
 * What the units do about incidents: the nearest available unit self-assigns and drives
 * there, reports arrival, clears the scene, and the call centre closes the case. The
 * simulator never sends `incident.dispatched` (reserved for scoped keys); a unit announcing
 * itself `en_route` is a terminal fact the lenient reducer accepts.
 *
 * A coordinator may step in from the console (terminals.ts): an incident a coordinator
 * dispatched to is theirs (`console`) and is no longer self-assigned; one they closed,
 * cancelled or resolved is dropped here too.
 */
export class IncidentResponse {
  private readonly open = new Map<string, SimIncident>();
  private waiting: SimIncident[] = [];
  private fleet: Fleet | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly onClosed: (incident: SimIncident, at: number) => void,
  ) {}

  attach(fleet: Fleet): void {
    this.fleet = fleet;
  }

  get openCount(): number {
    return this.open.size;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** True for an open incident this simulator reported. */
  owns(incidentId: string): boolean {
    return this.open.has(incidentId);
  }

  /** The open incident a unit self-assigned to, if any. */
  selfAssigned(unit: SimUnit): SimIncident | undefined {
    const incident = unit.incidentId ? this.open.get(unit.incidentId) : undefined;
    return incident && incident.unitId === unit.id && (incident.state === 'assigned' || incident.state === 'on_scene') ? incident : undefined;
  }

  /** A coordinator dispatched a unit to one of our incidents: a waiting one is theirs from now on. */
  consoleTook(incidentId: string): void {
    const incident = this.open.get(incidentId);
    if (!incident || incident.state !== 'waiting') return;
    incident.state = 'console';
    this.waiting = this.waiting.filter((i) => i !== incident);
  }

  /**
   * A unit leaves the call it self-assigned to. `handBack` (it was dispatched elsewhere at the
   * same moment): the terminal says so with `incident.unit_released` and the call waits for
   * another unit. Otherwise a coordinator released it: the call is the console's now.
   */
  withdraw(unit: SimUnit, at: number, handBack: boolean): void {
    const incident = this.selfAssigned(unit);
    if (!incident) return;
    delete incident.unitId;
    delete unit.incidentId;
    if (!handBack) {
      incident.state = 'console';
      return;
    }
    this.ctx.sink.emit('incident.unit_released', 'sim/terminal', at, {
      incidentId: incident.id, unitIds: [unit.id], by: unit.callsign, note: '改派其他警情',
    });
    incident.state = 'waiting';
    this.waiting.push(incident);
  }

  /** A terminal resolved one of our incidents: a self-assigned unit still on it is freed (the server freed it). */
  resolvedByTerminal(incidentId: string, unitId: string, at: number): void {
    const incident = this.open.get(incidentId);
    if (!incident || !isActive(incident)) return;
    this.dropUnit(incident, unitId, at);
    incident.state = 'resolved';
    this.close(incident, at);
  }

  /**
   * Someone else (a coordinator, or our own earlier event coming back through the feed) ended
   * one of our incidents. Already ended here: nothing to do.
   */
  endedElsewhere(incidentId: string, how: 'resolved' | 'closed' | 'cancelled', at: number): void {
    const incident = this.open.get(incidentId);
    if (!incident) return;
    if (how === 'resolved' && !isActive(incident)) return;
    this.dropUnit(incident, undefined, at);
    this.waiting = this.waiting.filter((i) => i !== incident);
    if (how === 'resolved') {
      incident.state = 'resolved';
      this.close(incident, at);
      return;
    }
    incident.state = how;
    this.open.delete(incident.id);
    if (how === 'closed') this.onClosed(incident, at);
  }

  /** Frees the self-assigned unit of an incident ended by someone else (silently: the server freed it). */
  private dropUnit(incident: SimIncident, except: string | undefined, at: number): void {
    const unit = incident.unitId && incident.unitId !== except ? this.fleet?.byId(incident.unitId) : undefined;
    delete incident.unitId;
    if (unit && unit.incidentId === incident.id) this.fleet?.release(unit, at, false);
  }

  reported(incident: SimIncident, at: number): void {
    this.open.set(incident.id, incident);
    const rng = this.rng;
    // Call-taking: the operator confirms details before units are sent.
    const intake = scaled(this.ctx, rng.range(20_000, 90_000));
    if (!incident.located) {
      if (rng.chance(UNLOCATABLE_SHARE)) {
        this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(3, 10) * MINUTE), (t) => this.cancel(incident, t, '无法定位，报警人失联'));
        return;
      }
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(1, 5) * MINUTE), (t) => {
        // the call-taker still finds the place when a coordinator already dispatched to it
        if (incident.state !== 'waiting' && incident.state !== 'console') return;
        this.ctx.sink.emit('incident.updated', incident.source, t, {
          incidentId: incident.id, location: incident.location, address: incident.address,
        });
        this.ctx.scheduler.at(t + intake, (t2) => this.enqueue(incident, t2));
      });
    } else if (rng.chance(needsUnitShare(incident))) {
      this.ctx.scheduler.at(at + intake, (t) => this.enqueue(incident, t));
    } else {
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(10, 60) * MINUTE), (t) => this.settleRemotely(incident, t));
      return;
    }
    if (rng.chance(CANCEL_SHARE)) {
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(2, 15) * MINUTE), (t) => this.cancel(incident, t, '报警人撤警'));
    }
    this.ctx.scheduler.at(at + scaled(this.ctx, GIVE_UP_AFTER), (t) => {
      if (incident.state === 'waiting') this.cancel(incident, t, '警情已由其他力量处置');
    });
  }

  /** Matches waiting incidents (most urgent, then oldest) with the closest free unit. */
  assign(at: number): void {
    if (this.waiting.length === 0 || !this.fleet) return;
    const fleet = this.fleet;
    const free = fleet.available();
    if (free.length === 0) return;
    this.waiting.sort((a, b) => a.priority - b.priority || a.reportedAt - b.reportedAt);
    const still: SimIncident[] = [];
    for (const incident of this.waiting) {
      let best: SimUnit | undefined;
      let bestEta = Infinity;
      for (const u of free) {
        const eta = fleet.etaMs(u, incident.location);
        if (eta > MAX_ETA_MS[u.kind]) continue;
        const foreign = incident.priority > 1 && u.home.districtId !== incident.districtId;
        const score = foreign ? eta + CROSS_DISTRICT_PENALTY_MS : eta;
        if (score < bestEta) {
          best = u;
          bestEta = score;
        }
      }
      if (!best) {
        still.push(incident);
        continue;
      }
      free.splice(free.indexOf(best), 1);
      this.dispatch(incident, best, at);
    }
    this.waiting = still;
  }

  /** Called by the fleet when a responding unit reaches its incident. */
  arrived(unit: SimUnit, at: number): void {
    const incident = unit.incidentId ? this.open.get(unit.incidentId) : undefined;
    if (!incident || incident.state !== 'assigned') {
      this.fleet?.release(unit, at);
      return;
    }
    incident.state = 'on_scene';
    this.ctx.sink.emit('incident.arrived', 'sim/terminal', at, { incidentId: incident.id, unitIds: [unit.id], by: unit.id });
    this.fleet?.setStatus(unit, 'on_scene', at);
    const onScene = onSceneMs(this.ctx, this.rng, incident.category, incident.priority);
    this.ctx.scheduler.at(at + onScene, (t) => this.resolve(incident, unit, t));
  }

  private enqueue(incident: SimIncident, at: number): void {
    if (incident.state !== 'waiting') return;
    this.waiting.push(incident);
    this.assign(at);
  }

  private dispatch(incident: SimIncident, unit: SimUnit, at: number): void {
    incident.state = 'assigned';
    incident.unitId = unit.id;
    this.fleet?.respond(unit, incident.id, incident.location, at);
    this.ctx.sink.emit('incident.en_route', 'sim/terminal', at, { incidentId: incident.id, unitIds: [unit.id], by: unit.id });
    this.fleet?.setStatus(unit, 'en_route', at);
  }

  /** Closed without a unit: the call centre or another department dealt with it. */
  private settleRemotely(incident: SimIncident, at: number): void {
    if (incident.state !== 'waiting') return;
    incident.state = 'resolved';
    this.ctx.sink.emit('incident.resolved', incident.source, at, { incidentId: incident.id, note: this.rng.pick(REMOTE_OUTCOMES) });
    this.close(incident, at);
  }

  private resolve(incident: SimIncident, unit: SimUnit, at: number): void {
    // the unit may have been taken off this call (and another may be on scene by now)
    if (incident.state !== 'on_scene' || incident.unitId !== unit.id) return;
    incident.state = 'resolved';
    this.ctx.sink.emit('incident.resolved', 'sim/terminal', at, {
      incidentId: incident.id, unitIds: [unit.id], by: unit.id, note: this.rng.pick(OUTCOMES),
    });
    this.fleet?.release(unit, at);
    this.close(incident, at);
  }

  private close(incident: SimIncident, at: number): void {
    this.ctx.scheduler.at(at + scaled(this.ctx, this.rng.range(2, 15) * MINUTE), (t) => {
      if (incident.state !== 'resolved') return; // reopened, or closed from the console meanwhile
      incident.state = 'closed';
      this.open.delete(incident.id);
      this.ctx.sink.emit('incident.closed', incident.source, t, { incidentId: incident.id });
      this.onClosed(incident, t);
    });
  }

  private cancel(incident: SimIncident, at: number, note: string): void {
    if (incident.state !== 'waiting' && incident.state !== 'assigned' && incident.state !== 'console') return;
    const unit = incident.unitId ? this.fleet?.units.find((u) => u.id === incident.unitId) : undefined;
    const wasAssigned = incident.state === 'assigned';
    incident.state = 'cancelled';
    this.open.delete(incident.id);
    this.waiting = this.waiting.filter((i) => i !== incident);
    this.ctx.sink.emit('incident.cancelled', incident.source, at, {
      incidentId: incident.id, note, ...(wasAssigned && unit ? { unitIds: [unit.id] } : {}),
    });
    if (wasAssigned && unit && unit.incidentId === incident.id) this.fleet?.release(unit, at);
  }
}

/** Not yet resolved, closed or cancelled. */
function isActive(incident: SimIncident): boolean {
  return incident.state === 'waiting' || incident.state === 'assigned' || incident.state === 'console' || incident.state === 'on_scene';
}

function needsUnitShare(incident: SimIncident): number {
  return (NEEDS_UNIT_BY_CATEGORY[incident.category] ?? 0.8) * (NEEDS_UNIT_BY_CHANNEL[incident.source] ?? 1);
}
