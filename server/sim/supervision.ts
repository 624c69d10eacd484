/**
 * Supervision orders (督办, DESIGN §3): the simulator plays a leader's office (`sim/leader`) that
 * reviews its own overdue disputes and petitions a few times a day and now and then issues an
 * order with an instruction and a deadline. The order speeds the case up; the responsible unit
 * answers (most in time, some late), and the office closes it. It only ever names cases the
 * simulator created itself. `pickOverdue` and `planOrder` are pure.
 */
import { isOpenStage } from '../../shared/governance.js';
import type { Level } from '../../shared/jurisdiction.js';
import type { TrackedCase } from './case-run.js';
import { SUPERVISION_ANSWERS, SUPERVISION_INSTRUCTIONS } from './case-texts.js';
import { DAY, keepsOfficeHours, scaled, type SimContext } from './context.js';
import { hash32, type Rng } from './random.js';
import { officeTime } from './rhythm.js';

export const SUPERVISION_DEADLINE_DAYS = 5;
export const SUPERVISION_LATE_SHARE = 0.1;
export const MAX_ORDERS_PER_CASE = 2;
/** Of the overdue cases a review finds, the order goes to one of the most overdue few. */
const MOST_OVERDUE = 3;

const LEVEL_UP: Partial<Record<Level, Level>> = { grid: 'community', community: 'street', street: 'district', district: 'city' };

/** The case a review takes up: open, past its deadline, no order pending, not supervised twice already. Pure. */
export function pickOverdue<C extends TrackedCase>(cases: readonly C[], now: number, rng: Rng): C | undefined {
  const overdue = cases
    .filter((c) => c.deadlineAt !== null && c.deadlineAt <= now && isOpenStage(c.kind, c.stage) && !c.underSupervision && c.supervisions < MAX_ORDERS_PER_CASE)
    .sort((a, b) => a.deadlineAt! - b.deadlineAt! || (a.id < b.id ? -1 : 1));
  return overdue.length > 0 ? rng.pick(overdue.slice(0, MOST_OVERDUE)) : undefined;
}

export interface OrderPlan {
  /** who must answer: the case's responsible level, or the one above it leading */
  level: Level;
  instruction: string;
  /** simulated ms until the answer; later than the deadline for a late one */
  answerAfterMs: number;
  closeAfterMs: number;
  /** simulated ms within which the case's next step now happens */
  expediteWithinMs: number;
  late: boolean;
}

/** How one order goes. Pure. */
export function planOrder(rng: Rng, caseLevel: Level): OrderPlan {
  const above = LEVEL_UP[caseLevel];
  const lead = above !== undefined && rng.chance(0.3);
  const late = rng.chance(SUPERVISION_LATE_SHARE);
  return {
    level: lead ? above : caseLevel,
    instruction: lead ? '请上级牵头督办落实' : rng.pick(SUPERVISION_INSTRUCTIONS.filter((s) => s !== '请上级牵头督办落实')),
    answerAfterMs: (late ? SUPERVISION_DEADLINE_DAYS + rng.range(0.5, 3) : Math.min(4.5, Math.max(0.3, rng.logNormal(2, 0.4)))) * DAY,
    closeAfterMs: Math.min(3, Math.max(0.2, rng.logNormal(1, 0.5))) * DAY,
    expediteWithinMs: rng.range(0.3, 1.5) * DAY,
    late,
  };
}

/** The simulator's own open cases and how to speed one up. */
export interface SupervisedCases {
  cases(): TrackedCase[];
  expedite(c: TrackedCase, at: number, withinMs: number): void;
}

export class Supervision {
  private counter = 0;
  private pending = 0;

  constructor(private readonly ctx: SimContext, private readonly rng: Rng, private readonly own: SupervisedCases) {}

  /** Orders issued and not yet closed. */
  get openCount(): number {
    return this.pending;
  }

  /** A leader's review: maybe one order on an overdue case. */
  review(at: number): void {
    const c = pickOverdue(this.own.cases(), at, this.rng);
    if (c) this.issue(c, at);
  }

  private issue(c: TrackedCase, at: number): void {
    const plan = planOrder(this.rng, c.responsibleLevel);
    const id = `${this.ctx.idPrefix}-S${String(++this.counter).padStart(6, '0')}`;
    const caseRef = c.id;
    c.supervisions++;
    c.underSupervision = true;
    this.pending++;
    this.ctx.sink.emit('supervision.issued', 'sim/leader', at, {
      supervisionId: id, caseRef, level: plan.level, instruction: plan.instruction,
      deadline: new Date(at + scaled(this.ctx, SUPERVISION_DEADLINE_DAYS * DAY)).toISOString(),
    });
    this.own.expedite(c, at, plan.expediteWithinMs);
    const office = (ms: number, what: string) => (keepsOfficeHours(this.ctx) ? officeTime(ms, hash32(`${id}:${what}`) / 2 ** 32) : ms);
    const answeredAt = office(at + scaled(this.ctx, plan.answerAfterMs), 'answer');
    const handler = c.kind === 'dispute' ? 'sim/mediation' : 'sim/petition';
    this.ctx.scheduler.at(answeredAt, (t) => {
      c.underSupervision = false;
      this.ctx.sink.emit('supervision.answered', handler, t, { supervisionId: id, caseRef, answer: this.rng.pick(SUPERVISION_ANSWERS) });
    });
    this.ctx.scheduler.at(office(answeredAt + scaled(this.ctx, plan.closeAfterMs), 'close'), (t) => {
      this.pending--;
      this.ctx.sink.emit('supervision.closed', 'sim/leader', t, { supervisionId: id, caseRef });
    });
  }
}
