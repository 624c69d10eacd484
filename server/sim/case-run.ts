/**
 * Runs the planned lifecycle of the simulator's own governance cases: each step waits its
 * simulated time (scaled by SIM_SPEED) after the previous one, sends its fact and keeps the
 * simulator's view of the case (stage, deadline, responsible level) as the server will see it.
 * A supervision order can bring the next step forward (`expedite`); later steps keep their
 * spacing. One step is pending per case at any time, so facts of a case never overtake. While
 * the simulation keeps office hours, a step that falls due at night happens the next morning.
 */
import type { EventType } from '../../shared/events.js';
import type { Level } from '../../shared/jurisdiction.js';
import { keepsOfficeHours, scaled, type SimContext } from './context.js';
import { hash32 } from './random.js';
import { officeTime } from './rhythm.js';

/** One planned step of a case, in simulated time (before SIM_SPEED). */
export interface Step {
  type: EventType;
  source: string;
  /** simulated ms after the previous step (or after opening, for the first) */
  afterMs: number;
  /** data besides the case id and the deadline */
  data: Record<string, unknown>;
  /** the stage after the step (escalations keep it) */
  stage: string;
  /**
   * The deadline the step sets: simulated ms after it; `keep` re-sends the one in force (an
   * escalation that must not extend it); null: none (the case left its open stages).
   */
  deadlineMs: number | 'keep' | null;
  /** the responsible level after the step (escalations) */
  level?: Level;
}

/** The simulator's view of one of its open cases. */
export interface TrackedCase {
  readonly id: string;
  readonly kind: 'dispute' | 'petition';
  stage: string;
  /** the deadline in force (ms), as sent; null when none */
  deadlineAt: number | null;
  responsibleLevel: Level;
  readonly openedAt: number;
  /** supervision orders issued on it so far, and whether one is still unanswered */
  supervisions: number;
  underSupervision: boolean;
}

interface Run<C extends TrackedCase> {
  c: C;
  steps: readonly Step[];
  next: number;
  nextAt: number;
  gen: number;
}

export class CaseRunner<C extends TrackedCase> {
  private readonly runs = new Map<string, Run<C>>();

  constructor(
    private readonly ctx: SimContext,
    private readonly idField: 'disputeId' | 'petitionId',
    /** called after each step's fact is sent */
    private readonly after: (c: C, step: Step, at: number) => void = () => undefined,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  /** The open cases (those with steps still to come), oldest first. */
  open(): C[] {
    return [...this.runs.values()].map((r) => r.c);
  }

  get(id: string): C | undefined {
    return this.runs.get(id)?.c;
  }

  /** Starts the steps of a case opened at `at` (its opening fact already sent). */
  start(c: C, steps: readonly Step[], at: number): void {
    if (steps.length === 0) return;
    const run: Run<C> = { c, steps, next: 0, nextAt: 0, gen: 0 };
    this.runs.set(c.id, run);
    this.schedule(run, at + scaled(this.ctx, steps[0]!.afterMs));
  }

  /**
   * Brings the next step forward to `at + scaled(withinMs)` when it was due later; false when
   * the case is not open here.
   */
  expedite(id: string, at: number, withinMs: number): boolean {
    const run = this.runs.get(id);
    if (!run) return false;
    const target = at + scaled(this.ctx, withinMs);
    if (run.nextAt > target) this.schedule(run, target);
    return true;
  }

  /** When the next step of a case is due (ms), if it is open. */
  nextAt(id: string): number | undefined {
    return this.runs.get(id)?.nextAt;
  }

  private schedule(run: Run<C>, due: number): void {
    const gen = ++run.gen;
    // offices act in office hours; the jitter (a hash, not a draw) keeps 08:30 from being a burst
    const at = keepsOfficeHours(this.ctx) ? officeTime(due, hash32(`${run.c.id}:${run.next}`) / 2 ** 32) : due;
    run.nextAt = at;
    this.ctx.scheduler.at(at, (t) => {
      if (run.gen === gen) this.fire(run, t);
    });
  }

  private fire(run: Run<C>, at: number): void {
    const { c } = run;
    const step = run.steps[run.next]!;
    const deadlineAt = step.deadlineMs === null ? null : step.deadlineMs === 'keep' ? c.deadlineAt : at + scaled(this.ctx, step.deadlineMs);
    const data: Record<string, unknown> = { [this.idField]: c.id, ...step.data };
    if (deadlineAt !== null) data.deadline = new Date(deadlineAt).toISOString();
    this.ctx.sink.emit(step.type, step.source, at, data as never);
    c.stage = step.stage;
    c.deadlineAt = deadlineAt;
    if (step.level) c.responsibleLevel = step.level;
    run.next++;
    const following = run.steps[run.next];
    if (following) this.schedule(run, at + scaled(this.ctx, following.afterMs));
    else this.runs.delete(c.id);
    this.after(c, step, at);
  }
}
