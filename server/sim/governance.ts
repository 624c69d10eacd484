/**
 * The simulated city's governance work (issue 6), coordinated: dispute registrations, petitions,
 * a leader's office reviewing overdue cases, grid workers' rounds and residents' feedback, all
 * as Poisson arrivals at SIM_SPEED times their daily volumes (following office hours while a
 * simulated day still lasts most of a wall-clock day). The decisions live in disputes.ts,
 * petitions.ts, supervision.ts, gridworkers.ts and feedback.ts.
 *
 * `warmUp` replays the weeks before the start (events with past times, sent in the first batch)
 * so the governance board opens on a backlog in every stage, with history behind it.
 */
import { DAY, keepsOfficeHours, MINUTE, scaled, type SimContext } from './context.js';
import { Disputes } from './disputes.js';
import { Feedback } from './feedback.js';
import { GridWorkers } from './gridworkers.js';
import type { SimIncident } from './incidents.js';
import { Petitions } from './petitions.js';
import { type Rng, WeightedTable } from './random.js';
import { expectedCount, officeRhythm, OFFICE_PROFILE_MEAN } from './rhythm.js';
import type { SimGrid } from './space.js';
import { Supervision } from './supervision.js';

/** Per simulated day, for a city of ~1,500 grids (disputes: besides the grid workers' leads that ripen). */
export const GOVERNANCE_RATES = { disputes: 80, petitions: 12, leaderReviews: 3, gridworkerReports: 240 } as const;
/** Petitions take up to 60 days: their history reaches this many times further back. */
const PETITION_HISTORY_FACTOR = 6;
const AREA_WEIGHT = { urban: 1, suburban: 0.8, rural: 0.6 } as const;
/** Arrival counts are drawn per slice of this length, so the rhythm follows long intervals. */
const SLICE_MS = 15 * MINUTE;

export interface GovernanceStats {
  openDisputes: number;
  openPetitions: number;
  openSupervisions: number;
}

export class Governance {
  private readonly table: WeightedTable<SimGrid>;
  private readonly arrivalsRng: Rng;
  private readonly feedback: Feedback;
  private readonly disputes: Disputes;
  private readonly petitions: Petitions;
  private readonly supervision: Supervision;
  private readonly gridworkers: GridWorkers;

  constructor(private readonly ctx: SimContext, rng: Rng) {
    this.table = new WeightedTable(ctx.map.grids, (g) => AREA_WEIGHT[g.areaType]);
    this.arrivalsRng = rng.fork('arrivals');
    this.feedback = new Feedback(ctx, rng.fork('feedback'));
    this.disputes = new Disputes(ctx, rng.fork('disputes'), this.feedback);
    this.petitions = new Petitions(ctx, rng.fork('petitions'), this.feedback);
    this.supervision = new Supervision(ctx, rng.fork('supervision'), {
      cases: () => [...this.disputes.runner.open(), ...this.petitions.runner.open()],
      expedite: (c, at, within) => void (c.kind === 'dispute' ? this.disputes.runner : this.petitions.runner).expedite(c.id, at, within),
    });
    this.gridworkers = new GridWorkers(ctx, rng.fork('gridworkers'), this.table, (at, grid) => this.disputes.register(at, grid, 'grid'));
  }

  stats(): GovernanceStats {
    return { openDisputes: this.disputes.openCount, openPetitions: this.petitions.openCount, openSupervisions: this.supervision.openCount };
  }

  /** Schedules the arrivals of [fromMs, toMs). */
  arrivals(fromMs: number, toMs: number): void {
    this.spawn(GOVERNANCE_RATES.disputes, fromMs, toMs, (t) => this.disputes.register(t, this.table.pick(this.arrivalsRng)));
    this.spawn(GOVERNANCE_RATES.petitions, fromMs, toMs, (t) => this.petitions.file(t, this.table.pick(this.arrivalsRng)));
    this.spawn(GOVERNANCE_RATES.leaderReviews, fromMs, toMs, (t) => this.supervision.review(t));
    this.spawn(GOVERNANCE_RATES.gridworkerReports, fromMs, toMs, (t) => this.gridworkers.report(t));
  }

  /**
   * Schedules the history of the `days` simulated days before `startMs` (petitions: six times
   * as long; grid workers' rounds: the last day). The caller runs the scheduler up to the start.
   */
  warmUp(startMs: number, days: number): void {
    if (!(days > 0)) return;
    const span = scaled(this.ctx, days * DAY);
    this.spawn(GOVERNANCE_RATES.petitions, startMs - span * PETITION_HISTORY_FACTOR, startMs, (t) => this.petitions.file(t, this.table.pick(this.arrivalsRng)));
    this.spawn(GOVERNANCE_RATES.disputes, startMs - span, startMs, (t) => this.disputes.register(t, this.table.pick(this.arrivalsRng)));
    this.spawn(GOVERNANCE_RATES.leaderReviews, startMs - span, startMs, (t) => this.supervision.review(t));
    this.spawn(GOVERNANCE_RATES.gridworkerReports, startMs - Math.min(span, scaled(this.ctx, DAY)), startMs, (t) => this.gridworkers.report(t));
  }

  /** Residents rate some closed incidents. */
  incidentClosed(incident: SimIncident, at: number): void {
    this.feedback.maybe(incident.id, at, 'incident');
  }

  private spawn(perDay: number, fromMs: number, toMs: number, run: (at: number) => void): void {
    const rate = perDay * this.ctx.speed;
    const flat = !keepsOfficeHours(this.ctx);
    for (let a = fromMs; a < toMs;) {
      const b = Math.min(toMs, a + SLICE_MS);
      const mean = flat ? (rate * (b - a)) / DAY : expectedCount(rate, officeRhythm, OFFICE_PROFILE_MEAN, a, b);
      const n = this.arrivalsRng.poisson(mean);
      for (let i = 0; i < n; i++) this.ctx.scheduler.at(a + this.arrivalsRng.next() * (b - a), run);
      a = b;
    }
  }
}
