/**
 * The simulated units' terminals: what a unit does when a coordinator dispatches it from the
 * console. Pure and deterministic like the rest of the model — it reads commands (from the
 * live feed, through terminal-link.ts) and emits events into the model's sink; no sockets here.
 *
 * A dispatch of one of our units: the terminal acknowledges after a while (or, now and then,
 * never — the unit stays attached until a coordinator releases it and the console shows an
 * acknowledgement timeout), sets off (`incident.en_route`), drives there along the fleet's
 * movement model, reports `incident.arrived`, stays on scene as long as self-assigned calls
 * do, sends `incident.resolved` and is available again. A release of the unit, or the incident
 * cancelled, closed or resolved by someone else, ends the job at once.
 */
import type { Location } from '../../shared/jurisdiction.js';
import type { Entry } from '../../shared/objects.js';
import { scaled, type SimContext } from './context.js';
import type { Rng } from './random.js';
import { OUTCOMES, onSceneMs, type IncidentResponse } from './response.js';
import type { Fleet, SimUnit } from './units.js';

/** What the terminal needs to know of the incident it was sent to (read over REST). */
export interface DispatchedIncident {
  location: Location | null;
  category: string;
  priority: number;
}

/** An own unit as a REST snapshot shows it. */
export interface SnapshotUnit {
  unitId: string;
  status: string;
  incidentId: string | null;
}

/** What the terminals act on; all but `snapshot` come from single log entries. */
export type TerminalCommand =
  | { kind: 'dispatched'; unitId: string; incidentId: string; incident?: DispatchedIncident }
  | { kind: 'released'; unitId: string; incidentId: string }
  | { kind: 'ended'; incidentId: string; how: 'resolved' | 'closed' | 'cancelled' }
  | { kind: 'located'; incidentId: string; location: Location }
  /** after a resync: the server's view of our units (jobs it no longer holds are over) */
  | { kind: 'snapshot'; units: SnapshotUnit[] };

export const TERMINAL_TIMING = {
  /** acknowledgement: log-normal, median 20 s of simulated time */
  ackMedianMs: 20_000,
  ackSigma: 0.6,
  /** share of dispatches never acknowledged (the console's acknowledgement timeout has something to show) */
  noAckShare: 0.05,
  /** from acknowledgement to setting off */
  departMinMs: 3_000,
  departMaxMs: 15_000,
} as const;

const ENDINGS = { 'incident.resolved': 'resolved', 'incident.closed': 'closed', 'incident.cancelled': 'cancelled' } as const;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function location(v: unknown): Location | null {
  if (!v || typeof v !== 'object') return null;
  const { lat, lon } = v as { lat?: unknown; lon?: unknown };
  return typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null;
}

/**
 * The commands one log entry means for the terminals of the units `owns` says are ours. Dispatches
 * and releases name their units; endings and new locations concern whichever job is on the
 * incident (the model sorts out which, if any).
 */
export function readEntry(entry: Pick<Entry, 'type' | 'data'>, owns: (unitId: string) => boolean): TerminalCommand[] {
  const incidentId = entry.data.incidentId;
  if (typeof incidentId !== 'string') return [];
  switch (entry.type) {
    case 'incident.dispatched':
      return strings(entry.data.unitIds).filter(owns).map((unitId) => ({ kind: 'dispatched', unitId, incidentId }));
    case 'incident.unit_released':
      return strings(entry.data.unitIds).filter(owns).map((unitId) => ({ kind: 'released', unitId, incidentId }));
    case 'incident.resolved':
    case 'incident.closed':
    case 'incident.cancelled':
      return [{ kind: 'ended', incidentId, how: ENDINGS[entry.type] }];
    case 'incident.updated': {
      const at = location(entry.data.location);
      return at ? [{ kind: 'located', incidentId, location: at }] : [];
    }
    default:
      return [];
  }
}

/** When the terminal acknowledges (ms after the dispatch), or null: never. */
export function ackDelayMs(rng: Rng, speed: number, noAckShare: number = TERMINAL_TIMING.noAckShare): number | null {
  if (rng.chance(noAckShare)) return null;
  return rng.logNormal(TERMINAL_TIMING.ackMedianMs, TERMINAL_TIMING.ackSigma) / speed;
}

export type JobPhase = 'dispatched' | 'acknowledged' | 'en_route' | 'on_scene';

interface Job {
  unit: SimUnit;
  incidentId: string;
  incident: DispatchedIncident;
  phase: JobPhase;
}

export interface TerminalStats {
  jobs: number;
  acknowledged: number;
  unacknowledged: number;
  resolved: number;
  ended: number;
}

/** The terminals of one fleet: one job at most per unit. */
export class Terminals {
  private readonly jobs = new Map<string, Job>();
  private readonly counts = { acknowledged: 0, unacknowledged: 0, resolved: 0, ended: 0 };

  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly fleet: Fleet,
    private readonly response: IncidentResponse,
    private readonly noAckShare: number = TERMINAL_TIMING.noAckShare,
  ) {}

  /** True for one of our units (the only ones the terminals answer for). */
  owns(unitId: string): boolean {
    return this.fleet.byId(unitId) !== undefined;
  }

  /** True while a unit works on a dispatch from the console (its arrival is ours to report). */
  has(unitId: string): boolean {
    return this.jobs.has(unitId);
  }

  /** The job of a unit: which incident, how far along. */
  job(unitId: string): { incidentId: string; phase: JobPhase } | undefined {
    const j = this.jobs.get(unitId);
    return j && { incidentId: j.incidentId, phase: j.phase };
  }

  stats(): TerminalStats {
    return { jobs: this.jobs.size, ...this.counts };
  }

  apply(cmd: TerminalCommand, at: number): void {
    switch (cmd.kind) {
      case 'dispatched': return this.dispatched(cmd, at);
      case 'released': return this.released(cmd.unitId, cmd.incidentId, at);
      case 'ended':
        for (const job of [...this.jobs.values()]) if (job.incidentId === cmd.incidentId) this.end(job, at);
        this.response.endedElsewhere(cmd.incidentId, cmd.how, at);
        return;
      case 'located':
        for (const job of this.jobs.values()) if (job.incidentId === cmd.incidentId) this.located(job, cmd.location, at);
        return;
      case 'snapshot':
        for (const u of cmd.units) {
          const job = this.jobs.get(u.unitId);
          if (job && job.incidentId !== u.incidentId) this.end(job, at);
        }
        return;
    }
  }

  /** The fleet reports a unit of ours within reach of its target. */
  arrived(unit: SimUnit, at: number): void {
    const job = this.jobs.get(unit.id);
    if (!job || job.phase !== 'en_route') {
      this.fleet.release(unit, at);
      return;
    }
    job.phase = 'on_scene';
    this.emit('incident.arrived', job, at);
    this.fleet.setStatus(unit, 'on_scene', at);
    const stay = onSceneMs(this.ctx, this.rng, job.incident.category, job.incident.priority);
    this.ctx.scheduler.at(at + stay, (t) => this.resolve(job, t));
  }

  private dispatched(cmd: Extract<TerminalCommand, { kind: 'dispatched' }>, at: number): void {
    const unit = this.fleet.byId(cmd.unitId);
    if (!unit) return;
    const current = this.jobs.get(unit.id);
    // seen already: a resumed feed may repeat what a snapshot told
    if (current?.incidentId === cmd.incidentId) return;
    // The console only dispatches units the server holds available: an old job it no longer
    // knows of is over, and a call we self-assigned a moment ago is handed back.
    if (current) this.jobs.delete(unit.id);
    else if (this.response.selfAssigned(unit)) this.response.withdraw(unit, at, true);
    this.fleet.takeForDispatch(unit, at);
    this.response.consoleTook(cmd.incidentId);
    const job: Job = {
      unit, incidentId: cmd.incidentId, phase: 'dispatched',
      incident: cmd.incident ?? { location: null, category: 'other', priority: 3 },
    };
    this.jobs.set(unit.id, job);
    const delay = ackDelayMs(this.rng, this.ctx.speed, this.noAckShare);
    if (delay === null) this.counts.unacknowledged++;
    else this.ctx.scheduler.at(at + delay, (t) => this.acknowledge(job, t));
  }

  private released(unitId: string, incidentId: string, at: number): void {
    const job = this.jobs.get(unitId);
    if (job) {
      if (job.incidentId === incidentId) this.end(job, at);
      return;
    }
    // a coordinator took one of our units off a call it self-assigned: the call is theirs now
    const unit = this.fleet.byId(unitId);
    if (unit && this.response.selfAssigned(unit)?.id === incidentId) {
      this.response.withdraw(unit, at, false);
      this.fleet.release(unit, at, false);
    }
  }

  private current(job: Job): boolean {
    return this.jobs.get(job.unit.id) === job;
  }

  private acknowledge(job: Job, at: number): void {
    if (!this.current(job) || job.phase !== 'dispatched') return;
    job.phase = 'acknowledged';
    this.counts.acknowledged++;
    this.emit('incident.acknowledged', job, at);
    if (job.incident.location) this.scheduleDeparture(job, at);
    // without a location the unit waits for one (`incident.updated`)
  }

  private scheduleDeparture(job: Job, at: number): void {
    const wait = scaled(this.ctx, this.rng.range(TERMINAL_TIMING.departMinMs, TERMINAL_TIMING.departMaxMs));
    this.ctx.scheduler.at(at + wait, (t) => this.depart(job, t));
  }

  private depart(job: Job, at: number): void {
    const to = job.incident.location;
    if (!this.current(job) || job.phase !== 'acknowledged' || !to) return;
    job.phase = 'en_route';
    this.emit('incident.en_route', job, at);
    this.fleet.setStatus(job.unit, 'en_route', at);
    this.fleet.respond(job.unit, job.incidentId, to, at);
  }

  private located(job: Job, to: Location, at: number): void {
    const had = job.incident.location !== null;
    job.incident = { ...job.incident, location: to };
    if (job.phase === 'acknowledged' && !had) this.scheduleDeparture(job, at);
    else if (job.phase === 'en_route') this.fleet.respond(job.unit, job.incidentId, to, at);
  }

  private resolve(job: Job, at: number): void {
    if (!this.current(job) || job.phase !== 'on_scene') return;
    this.jobs.delete(job.unit.id);
    this.counts.resolved++;
    this.emit('incident.resolved', job, at, this.rng.pick(OUTCOMES));
    this.response.resolvedByTerminal(job.incidentId, job.unit.id, at);
    this.fleet.release(job.unit, at);
  }

  /** Released, or the incident ended elsewhere: the server already freed the unit, so nothing is announced. */
  private end(job: Job, at: number): void {
    if (!this.current(job)) return;
    this.jobs.delete(job.unit.id);
    this.counts.ended++;
    this.fleet.release(job.unit, at, false);
  }

  private emit(type: 'incident.acknowledged' | 'incident.en_route' | 'incident.arrived' | 'incident.resolved', job: Job, at: number, note?: string): void {
    this.ctx.sink.emit(type, 'sim/terminal', at, {
      incidentId: job.incidentId, unitIds: [job.unit.id], by: job.unit.callsign, ...(note ? { note } : {}),
    });
  }
}
