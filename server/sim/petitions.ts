/**
 * Petitions (信访, DESIGN §3): filed at a street or district petition office with a pseudonymous
 * petitioner key, a subject, a place and the 60-day deadline of the Regulations on Letters and
 * Visits (scaled by SIM_SPEED); answered (most well within the deadline, a few late), closed
 * after the review period; a few escalated to the level above; some petitioners come back.
 * `planPetition` is pure; `Petitions` runs the plans on the sim clock.
 */
import { isOpenStage } from '../../shared/governance.js';
import type { Level } from '../../shared/jurisdiction.js';
import { CaseRunner, type Step, type TrackedCase } from './case-run.js';
import { PETITION_ANSWERS, PETITION_CHANNELS, PETITION_ESCALATION_REASONS, PETITION_SUBJECTS } from './case-texts.js';
import { DAY, scaled, type SimContext } from './context.js';
import type { Feedback } from './feedback.js';
import { hash32, type Rng } from './random.js';
import { round6, type SimGrid } from './space.js';

export const PETITION_DEADLINE_DAYS = 60;
export const PETITION_LATE_SHARE = 0.08;
export const PETITION_ESCALATION_SHARE = 0.06;
/** Petitions by someone who petitioned within the window before. */
export const REPEAT_PETITIONER_SHARE = 0.2;
export const REPEAT_PETITIONER_WINDOW_DAYS = 90;

const LEVEL_UP: Partial<Record<Level, Level>> = { grid: 'community', community: 'street', street: 'district', district: 'city' };

export interface PetitionPlan {
  steps: Step[];
  escalated: boolean;
  late: boolean;
}

/**
 * The lifecycle of one petition filed at `level`: (escalated →) answered → closed. Pure. An
 * escalation re-sends the deadline in force: going up a level does not buy time.
 */
export function planPetition(rng: Rng, level: Level): PetitionPlan {
  const escalated = rng.chance(PETITION_ESCALATION_SHARE) && LEVEL_UP[level] !== undefined;
  const late = rng.chance(PETITION_LATE_SHARE);
  const answerAfter = (late ? PETITION_DEADLINE_DAYS + rng.range(1, 12) : Math.min(57, Math.max(3, rng.logNormal(25, 0.5)))) * DAY;
  const steps: Step[] = [];
  let waited = 0;
  if (escalated) {
    const to = LEVEL_UP[level]!;
    waited = answerAfter * rng.range(0.3, 0.7);
    steps.push({
      type: 'petition.escalated', source: 'sim/petition', afterMs: waited, stage: 'filed', deadlineMs: 'keep', level: to,
      data: { level: to, reason: rng.pick(PETITION_ESCALATION_REASONS) },
    });
  }
  steps.push({ type: 'petition.answered', source: 'sim/petition', afterMs: answerAfter - waited, stage: 'answered', deadlineMs: null, data: { answer: rng.pick(PETITION_ANSWERS) } });
  // closed once the petitioner accepts the answer or the 30-day review period runs out
  steps.push({ type: 'petition.closed', source: 'sim/petition', afterMs: Math.min(30, Math.max(1, rng.logNormal(10, 0.5))) * DAY, stage: 'closed', deadlineMs: null, data: {} });
  return { steps, escalated, late };
}

interface Filed {
  at: number;
  petitioner: string;
  subject: string;
  grid: SimGrid;
}

export interface SimPetition extends TrackedCase {
  readonly kind: 'petition';
  readonly petitioner: string;
  readonly plan: PetitionPlan;
}

export class Petitions {
  readonly runner: CaseRunner<SimPetition>;
  private readonly recent: Filed[] = [];
  private counter = 0;

  constructor(private readonly ctx: SimContext, private readonly rng: Rng, private readonly feedback: Feedback) {
    this.runner = new CaseRunner<SimPetition>(ctx, 'petitionId', (p, step, at) => {
      if (step.stage === 'answered') this.feedback.maybe(p.id, at, 'petition');
    });
  }

  get openCount(): number {
    return this.runner.open().filter((p) => isOpenStage('petition', p.stage)).length;
  }

  /** A pseudonymous petitioner key: stable for the person, never a name. */
  private newPetitioner(): string {
    return `P-${hash32(`${this.ctx.idPrefix}:petitioner:${this.counter}`).toString(16).padStart(8, '0')}`;
  }

  file(at: number, grid: SimGrid): void {
    const rng = this.rng;
    const window = scaled(this.ctx, REPEAT_PETITIONER_WINDOW_DAYS * DAY);
    while (this.recent.length > 0 && this.recent[0]!.at < at - window) this.recent.shift();
    this.counter++;
    // picking a past petition (not a past petitioner) favours those who already came back often
    const before = this.recent.length > 0 && rng.chance(REPEAT_PETITIONER_SHARE) ? rng.pick(this.recent) : undefined;
    const petitioner = before?.petitioner ?? this.newPetitioner();
    const subject = before && rng.chance(0.7) ? before.subject : rng.pick(PETITION_SUBJECTS);
    const where = before && rng.chance(0.8) ? before.grid : grid;
    const level: Level = rng.chance(0.6) ? 'district' : 'street';
    const id = `${this.ctx.idPrefix}-P${String(this.counter).padStart(6, '0')}`;
    const deadlineAt = at + scaled(this.ctx, PETITION_DEADLINE_DAYS * DAY);
    this.ctx.sink.emit('petition.filed', 'sim/petition', at, {
      petitionId: id, petitioner, subject, level, channel: rng.weighted(PETITION_CHANNELS),
      ...(rng.chance(0.7) ? { location: round6(this.ctx.map.randomPointIn(where, rng)) } : { jurisdictionId: where.id }),
      deadline: new Date(deadlineAt).toISOString(),
    });
    this.recent.push({ at, petitioner, subject, grid: where });
    const plan = planPetition(rng, level);
    const p: SimPetition = {
      id, kind: 'petition', petitioner, plan, stage: 'filed', deadlineAt, responsibleLevel: level,
      openedAt: at, supervisions: 0, underSupervision: false,
    };
    this.runner.start(p, plan.steps, at);
  }
}
