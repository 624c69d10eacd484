/**
 * Grid workers' daily rounds (网格员, `gridworker.report`): home visits, hazards and dispute leads
 * at a steady rate during office hours. Some leads ripen into disputes the grid worker then
 * registers in the same grid.
 */
import { DAY, HOUR, scaled, type SimContext } from './context.js';
import { GRIDWORKER_REPORTS } from './case-texts.js';
import type { Rng, WeightedTable } from './random.js';
import { round6, type SimGrid } from './space.js';

export const REPORT_KINDS: readonly (readonly [string, number])[] = [['visit', 55], ['hazard', 30], ['dispute_lead', 15]];
/** Dispute leads that turn into a registered dispute within a day or two. */
export const LEAD_RIPENS_SHARE = 0.25;

export class GridWorkers {
  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly grids: WeightedTable<SimGrid>,
    private readonly leadRipens: (at: number, grid: SimGrid) => void,
  ) {}

  report(at: number): void {
    const rng = this.rng;
    const grid = this.grids.pick(rng);
    const kind = rng.weighted(REPORT_KINDS);
    this.ctx.sink.emit('gridworker.report', 'sim/grid', at, {
      kind,
      location: round6(this.ctx.map.randomPointIn(grid, rng)),
      summary: rng.pick(GRIDWORKER_REPORTS[kind] ?? ['日常巡查']),
    });
    if (kind === 'dispute_lead' && rng.chance(LEAD_RIPENS_SHARE)) {
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(2 * HOUR, 2 * DAY)), (t) => this.leadRipens(t, grid));
    }
  }
}
