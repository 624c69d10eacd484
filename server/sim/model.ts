import { DEFAULT_BACKLOG_DAYS } from './config.js';
import type { SimContext } from './context.js';
import { EventSink, type SimEvent } from './event-sink.js';
import { Governance } from './governance.js';
import { IncidentGenerator } from './incidents.js';
import { Rng } from './random.js';
import { IncidentResponse } from './response.js';
import { Scheduler } from './scheduler.js';
import { CityMap, type SimGrid } from './space.js';
import { type TerminalCommand, Terminals, type TerminalStats } from './terminals.js';
import { Fleet, type SimUnit } from './units.js';

export type { SimEvent } from './event-sink.js';
export type { SimGrid } from './space.js';
export type { TerminalCommand } from './terminals.js';

export interface SimOptions {
  grids: readonly SimGrid[];
  seed: number;
  /** Simulation start; unit registrations carry this time. */
  startMs: number;
  /** SIM_SPEED (default 1): multiplies rates, divides process durations. */
  speed?: number;
  /** SIM_UNITS (default 50). */
  units?: number;
  /**
   * Distinguishes runs with the same seed in event and object ids (default: startMs in
   * base 36). A restarted simulator must not resend old ids with new payloads.
   */
  runId?: string;
  /** Number of persistent hotspot grids (default 12). */
  hotspots?: number;
  /**
   * No new incidents, disputes, petitions or reports: the units only patrol and answer the
   * console's dispatches (tests of the terminals at high speed, where self-assigned calls
   * would otherwise keep every unit busy).
   */
  quiet?: boolean;
  /** No new incidents, governance only (tests of the governance flows at high speed). */
  noIncidents?: boolean;
  /** Share of console dispatches a terminal never acknowledges (default 5%). */
  noAckShare?: number;
  /**
   * SIM_BACKLOG_DAYS (default 10; 0: none): simulated days of governance history replayed at
   * the start, so disputes and petitions are open in every stage from the first batch on.
   */
  backlogDays?: number;
}

export interface SimStats {
  openIncidents: number;
  waitingIncidents: number;
  busyUnits: number;
  openDisputes: number;
  openPetitions: number;
  openSupervisions: number;
  terminals: TerminalStats;
}

/**
 * The whole simulated city. Pure and deterministic: everything random comes from the seed
 * and everything temporal from the times passed in, so a seed and a sequence of step calls
 * always yield the same events.
 */
export class SimModel {
  readonly runId: string;
  readonly hotspots: ReadonlySet<string>;
  private readonly ctx: SimContext;
  private readonly incidents: IncidentGenerator;
  private readonly response: IncidentResponse;
  private readonly governance: Governance;
  private readonly fleet: Fleet;
  private readonly terminals: Terminals;
  private readonly quiet: boolean;
  private readonly noIncidents: boolean;
  private clockMs: number;

  constructor(opts: SimOptions) {
    const speed = opts.speed ?? 1;
    if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
    this.runId = opts.runId ?? Math.floor(opts.startMs / 1000).toString(36);
    const root = new Rng(opts.seed);
    this.ctx = {
      map: new CityMap(opts.grids),
      sink: new EventSink(`sim-${opts.seed}-${this.runId}`),
      scheduler: new Scheduler(),
      speed,
      idPrefix: `SIM${opts.seed}-${this.runId}`,
      unitPrefix: `SIM${opts.seed}`,
      nowMs: opts.startMs,
    };
    this.clockMs = opts.startMs;
    this.quiet = opts.quiet ?? false;
    this.noIncidents = opts.noIncidents ?? false;
    this.governance = new Governance(this.ctx, root.fork('governance'));
    if (!this.quiet) {
      // the history comes first: its events are older than the roster's registrations
      this.governance.warmUp(opts.startMs, opts.backlogDays ?? DEFAULT_BACKLOG_DAYS);
      this.ctx.scheduler.runUntil(opts.startMs);
    }
    this.response = new IncidentResponse(this.ctx, root.fork('response'), (inc, at) => this.governance.incidentClosed(inc, at));
    this.incidents = new IncidentGenerator(this.ctx, root.fork('incidents'), (inc, at) => this.response.reported(inc, at), opts.hotspots ?? 12);
    this.hotspots = this.incidents.hotspots;
    this.fleet = new Fleet(
      this.ctx,
      root.fork('units'),
      this.hotspots,
      // a unit on a console dispatch reports to its terminal, a self-assigned one to the response
      (unit, at) => (this.terminals.has(unit.id) ? this.terminals.arrived(unit, at) : this.response.arrived(unit, at)),
      (at) => this.response.assign(at),
    );
    this.response.attach(this.fleet);
    this.terminals = new Terminals(this.ctx, root.fork('terminals'), this.fleet, this.response, opts.noAckShare);
    this.fleet.start(opts.units ?? 50, opts.startMs, (g) => this.incidents.weightOf(g));
  }

  /**
   * Simulates (nowMs - dtMs, nowMs] and returns its events in time order (the first call
   * also returns the unit registrations). Intervals already simulated are not repeated.
   * `commands` (what the live feed told the terminals since the last step) take effect at the
   * end of the interval, in order.
   */
  step(nowMs: number, dtMs: number, commands: readonly TerminalCommand[] = []): SimEvent[] {
    const from = Math.max(this.clockMs, nowMs - dtMs);
    if (nowMs > from) {
      this.ctx.nowMs = nowMs;
      if (!this.quiet) {
        if (!this.noIncidents) this.incidents.arrivals(from, nowMs);
        this.governance.arrivals(from, nowMs);
      }
      this.ctx.scheduler.runUntil(nowMs);
      this.clockMs = nowMs;
    }
    for (const cmd of commands) this.terminals.apply(cmd, this.clockMs);
    return this.ctx.sink.drain();
  }

  /** True for one of this simulator's units (the terminals answer dispatches of these only). */
  ownsUnit(unitId: string): boolean {
    return this.terminals.owns(unitId);
  }

  /** The units as the model holds them (positions, status, mode); read-only for callers. */
  get units(): readonly Readonly<SimUnit>[] {
    return this.fleet.units;
  }

  /** A unit's console job, if it has one. */
  terminalJob(unitId: string): ReturnType<Terminals['job']> {
    return this.terminals.job(unitId);
  }

  stats(): SimStats {
    return {
      openIncidents: this.response.openCount,
      waitingIncidents: this.response.waitingCount,
      busyUnits: this.fleet.units.filter((u) => u.status !== 'available').length,
      ...this.governance.stats(),
      terminals: this.terminals.stats(),
    };
  }
}
