import type { Location } from '../../shared/jurisdiction.js';
import { HOUR, scaled, type SimContext } from './context.js';
import { address, incidentSummary, reporter } from './names.js';
import { type Rng, WeightedTable } from './random.js';
import { expectedCount, incidentRhythm, INCIDENT_PROFILE_MEAN } from './rhythm.js';
import { round6, type SimGrid } from './space.js';

/** Incidents per second city-wide at the evening peak with SIM_SPEED=1 (about one per 20 s). */
export const PEAK_INCIDENTS_PER_SECOND = 1 / 20;
/** Expected near-repeat offspring per incident; the background rate is lowered to match. */
export const NEAR_REPEAT_BRANCHING = 0.2;
export const NEAR_REPEAT_RADIUS_M = 300;
const NEAR_REPEAT_MEAN_DELAY = 2 * HOUR;
/** Rate multiplier of a persistent hotspot grid over an ordinary urban grid. */
export const HOTSPOT_FACTOR = 10;
const AREA_WEIGHT = { urban: 1, suburban: 0.6, rural: 0.25 } as const;
const UNLOCATED_SHARE = 0.03;

// Shares loosely follow published 110 call mixes: petty theft, disputes and traffic dominate.
// `noise_complaint` is deliberately not in the server's catalogue: it exercises the
// "unknown code → other, with a warning" path.
const CATEGORIES: readonly (readonly [string, number])[] = [
  ['theft', 25], ['dispute', 15], ['traffic', 14], ['fraud', 10], ['fight', 8], ['public_order', 7],
  ['burglary', 5], ['assault', 4], ['domestic_violence', 3], ['missing_person', 2], ['robbery', 1.5],
  ['drugs', 1.5], ['fire', 1.5], ['noise_complaint', 0.5],
];
const P1_SHARE: Record<string, number> = {
  robbery: 0.3, fire: 0.4, assault: 0.15, domestic_violence: 0.1, missing_person: 0.1, fight: 0.05,
};
const SERIOUS = new Set(['robbery', 'assault', 'fire', 'domestic_violence', 'fight', 'missing_person', 'drugs', 'burglary']);
const INDOORS = new Set(['burglary', 'domestic_violence', 'dispute', 'noise_complaint', 'fire', 'drugs']);
const CHANNELS: readonly (readonly [string, number])[] = [['110', 70], ['12345', 12], ['grid', 10], ['video', 8]];

/** `console`: a coordinator dispatched to it from the console; self-assignment leaves it alone. */
export type IncidentState = 'waiting' | 'assigned' | 'console' | 'on_scene' | 'resolved' | 'closed' | 'cancelled';

/** The simulator's own view of an incident it reported. */
export interface SimIncident {
  id: string;
  category: string;
  priority: number;
  /** Where it really is; the report may have left it out. */
  location: Location;
  located: boolean;
  address: string;
  /** The channel's source, reused for call-centre follow-ups (location fix, withdrawal). */
  source: string;
  /** Dispatch prefers units of the incident's own district, as police stations do. */
  districtId: string | undefined;
  reportedAt: number;
  state: IncidentState;
  unitId?: string;
}

/** Poisson arrivals with a daily rhythm, persistent hotspots and near-repeat bursts. */
export class IncidentGenerator {
  readonly hotspots: ReadonlySet<string>;
  private readonly table: WeightedTable<SimGrid>;
  private counter = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly onReported: (incident: SimIncident, at: number) => void,
    hotspotCount = 12,
  ) {
    this.hotspots = pickHotspots(ctx.map.grids, rng, hotspotCount);
    this.table = new WeightedTable(ctx.map.grids, (g) => this.weightOf(g));
  }

  /** Relative background rate of a grid. */
  weightOf(grid: SimGrid): number {
    return AREA_WEIGHT[grid.areaType] * (this.hotspots.has(grid.id) ? HOTSPOT_FACTOR : 1);
  }

  /** Schedules the background arrivals of [fromMs, toMs). */
  arrivals(fromMs: number, toMs: number): void {
    const peakPerDay = PEAK_INCIDENTS_PER_SECOND * 86_400 * (1 - NEAR_REPEAT_BRANCHING) * this.ctx.speed;
    // expectedCount normalises by the profile mean; undo it so the peak hour hits the target.
    const perDay = peakPerDay * INCIDENT_PROFILE_MEAN;
    const n = this.rng.poisson(expectedCount(perDay, incidentRhythm, INCIDENT_PROFILE_MEAN, fromMs, toMs));
    for (let i = 0; i < n; i++) {
      const at = fromMs + this.rng.next() * (toMs - fromMs);
      const grid = this.table.pick(this.rng);
      const point = this.ctx.map.randomPointIn(grid, this.rng);
      this.ctx.scheduler.at(at, (t) => this.report(t, grid, point, undefined));
    }
  }

  private report(at: number, grid: SimGrid, point: Location, parentCategory: string | undefined): void {
    const rng = this.rng;
    const category = parentCategory && rng.chance(0.5) ? parentCategory : rng.weighted(CATEGORIES);
    const priority = rng.chance(P1_SHARE[category] ?? 0)
      ? 1
      : rng.weighted<number>(SERIOUS.has(category) ? [[2, 0.6], [3, 0.35], [4, 0.05]] : [[2, 0.15], [3, 0.55], [4, 0.3]]);
    const channel = rng.weighted(CHANNELS);
    const located = !rng.chance(UNLOCATED_SHARE);
    const location = round6(point);
    this.counter++;
    const incident: SimIncident = {
      id: `${this.ctx.idPrefix}-I${String(this.counter).padStart(6, '0')}`,
      category,
      priority,
      location,
      located,
      address: address(rng, grid.place, INDOORS.has(category)),
      source: `sim/${channel}`,
      districtId: grid.districtId,
      reportedAt: at,
      state: 'waiting',
    };
    this.ctx.sink.emit('incident.reported', incident.source, at, {
      incidentId: incident.id,
      category,
      priority,
      ...(located ? { location, address: incident.address } : { address: '报警人无法说清具体位置' }),
      channel,
      summary: incidentSummary(rng, category),
      reporter: reporter(rng),
    });
    this.onReported(incident, at);
    this.nearRepeats(at, location, category);
  }

  /** Self-excitation: each incident raises the chance of another close by within hours. */
  private nearRepeats(at: number, location: Location, category: string): void {
    const k = this.rng.poisson(NEAR_REPEAT_BRANCHING);
    for (let i = 0; i < k; i++) {
      const delay = scaled(this.ctx, this.rng.exp(NEAR_REPEAT_MEAN_DELAY));
      const near = this.ctx.map.randomPointNear(location, NEAR_REPEAT_RADIUS_M, this.rng);
      const grid = near.grid ?? this.ctx.map.locate(location);
      if (!grid) continue;
      this.ctx.scheduler.at(at + delay, (t) => this.report(t, grid, near.at, category));
    }
  }
}

/** A dozen persistent hotspots, preferably urban (night-life streets, transport hubs, markets). */
function pickHotspots(grids: readonly SimGrid[], rng: Rng, count: number): Set<string> {
  const urban = grids.filter((g) => g.areaType === 'urban');
  const pool = [...(urban.length >= count ? urban : grids)];
  const chosen = new Set<string>();
  const n = Math.min(count, Math.floor(pool.length / 4) || 1);
  while (chosen.size < n && pool.length > 0) {
    const i = Math.floor(rng.next() * pool.length);
    const [g] = pool.splice(i, 1);
    if (g) chosen.add(g.id);
  }
  return chosen;
}
