/**
 * Disputes ("4+2", DESIGN §3): registered by grid workers, the 12345 hotline or walk-ins,
 * mediated, assessed, routed (onward to a department when not settled locally, else without
 * one), resolved and closed, never skipping a stage. Most are settled at grid or community level within days; some go up a level (a few
 * twice); a share misses a stage deadline; some come back (same place or a shared party within
 * weeks). `planDispute` and the pickers are pure; `Disputes` runs the plans on the sim clock.
 */
import { isOpenStage } from '../../shared/governance.js';
import type { AreaType, Level, Location } from '../../shared/jurisdiction.js';
import { CaseRunner, type Step, type TrackedCase } from './case-run.js';
import {
  ASSESSMENT_SUMMARIES, DEPARTMENTS, DISPUTE_SUMMARIES, ESCALATION_REASONS, LOCAL_OUTCOMES,
  localFollowUp, MEDIATORS, mediationSummary, RETURN_VISITS, ROUTED_OUTCOME_DEFAULT, ROUTED_OUTCOMES,
} from './case-texts.js';
import { DAY, scaled, type SimContext } from './context.js';
import type { Feedback } from './feedback.js';
import { address, organisation, partyName, surname } from './names.js';
import type { Rng } from './random.js';
import { round6, type SimGrid } from './space.js';

/** Stage deadlines in simulated days (the server's defaults are working days; a simulated week has none off). */
export const DISPUTE_DEADLINE_DAYS = { registered: 2, mediating: 7, assessed: 3, routed: 15 } as const;
/** Escalations per dispute: ~15% once, ~3% twice (before the kind's factor). */
export const ESCALATION_SHARES = { once: 0.15, twice: 0.03 } as const;
/** Routed onward to a department (not settled locally), by the number of escalations. */
export const ROUTED_SHARE = [0.2, 0.5, 0.75] as const;
/** Disputes that miss one stage deadline (overdue alerts, supervision orders). */
export const LATE_SHARE = 0.12;
/** New disputes that repeat a recent one (same place and/or a shared party). */
export const REPEAT_SHARE = 0.07;
export const REPEAT_WINDOW_DAYS = 42;

/** Kinds that escalate more (many parties, money, land) or less (family, small claims). */
const ESCALATION_FACTOR: Record<string, number> = {
  labour: 1.6, construction: 1.8, investment: 2, land: 1.5, environment: 1.3,
  family: 0.7, consumer: 0.7, traffic: 0.7,
};

export type DisputeChannel = 'grid' | '12345' | 'walk_in';
export const CHANNEL_SOURCE: Record<DisputeChannel, string> = { grid: 'sim/grid', '12345': 'sim/12345', walk_in: 'sim/walkin' };
const CHANNELS: readonly (readonly [DisputeChannel, number])[] = [['grid', 55], ['12345', 25], ['walk_in', 20]];

/** Kind weights by area: neighbour, family, property management and labour dominate; land in the countryside. */
export function disputeKindWeights(area: AreaType): [string, number][] {
  return [
    ['neighbour', 24], ['family', 16], ['property_management', area === 'rural' ? 4 : area === 'suburban' ? 12 : 18],
    ['labour', 14], ['consumer', 6], ['traffic', 5], ['land', area === 'rural' ? 14 : area === 'suburban' ? 5 : 0.5],
    ['construction', 3], ['environment', 2], ['medical', 2], ['investment', 1], ['other', 3],
  ];
}

const ORGANISATIONS: Record<string, string> = {
  property_management: '物业服务公司', labour: '建筑劳务公司', consumer: '商贸有限公司', medical: '医院',
  construction: '征收项目部', environment: '化工厂', investment: '投资咨询公司',
};

/** 2–3 pseudonymous parties; one is an organisation where the kind has one (property company, employer...). */
export function disputeParties(rng: Rng, kind: string): string[] {
  const n = rng.chance(0.25) ? 3 : 2;
  const trade = ORGANISATIONS[kind];
  const family = kind === 'family' || kind === 'land' ? surname(rng) : undefined;
  const people = Array.from({ length: trade ? n - 1 : n }, () => partyName(rng, family && rng.chance(0.7) ? family : undefined));
  return trade ? [...people, organisation(rng, trade)] : people;
}

const LEVEL_UP: Partial<Record<Level, Level>> = { grid: 'community', community: 'street', street: 'district', district: 'city' };

/** Who acts at a level: grid workers at the grid, mediation committees and centres above. */
const actor = (level: Level) => (level === 'grid' ? 'sim/grid' : 'sim/mediation');

export interface DisputePlan {
  steps: Step[];
  escalations: number;
  /** routed onward to a department (else routed without one: settled locally) */
  routed: boolean;
  /** the stage whose deadline it misses, if any */
  lateStage: string | null;
  risk: 'low' | 'medium' | 'high';
}

/**
 * The lifecycle of one dispute after its registration at `level`. Pure: the same rng state
 * gives the same plan. Every stage in order, none skipped (DESIGN §3): mediated → assessed →
 * routed → resolved → closed. A dispute settled by local mediation is routed without a
 * department (followed up where it is); only one not settled locally is routed onward to a
 * department. Escalations come while mediating (the first) or once assessed (the second).
 */
export function planDispute(rng: Rng, kind: string, level: Level): DisputePlan {
  const f = ESCALATION_FACTOR[kind] ?? 1;
  const u = rng.next();
  const escalations = u < ESCALATION_SHARES.twice * f ? 2 : u < (ESCALATION_SHARES.once + ESCALATION_SHARES.twice) * f ? 1 : 0;
  const routed = rng.chance(ROUTED_SHARE[escalations]!);
  const late = rng.chance(LATE_SHARE);
  const lateOptions: [string, number][] = [['registered', 3], ['mediating', 4], ['assessed', 1], ...(routed ? [['routed', 4] as [string, number]] : [])];
  const lateStage = late ? rng.weighted(lateOptions) : null;
  /** a duration in days: log-normal around `median`, within [0.05, max] */
  const days = (median: number, max: number) => Math.min(max, Math.max(0.05, rng.logNormal(median, 0.5))) * DAY;
  /** the time a stage takes: within its deadline, or past it when it is the late one */
  const stageTime = (stage: keyof typeof DISPUTE_DEADLINE_DAYS, median: number) => {
    const limit = DISPUTE_DEADLINE_DAYS[stage];
    return lateStage === stage ? (limit + rng.range(0.5, 4)) * DAY : days(median, limit * 0.9);
  };
  const deadline = (stage: keyof typeof DISPUTE_DEADLINE_DAYS) => DISPUTE_DEADLINE_DAYS[stage] * DAY;

  const steps: Step[] = [];
  let current = level;
  const escalate = (afterMs: number, stage: 'mediating' | 'assessed') => {
    const from = current;
    const to = LEVEL_UP[from] ?? from;
    current = to;
    steps.push({
      type: 'dispute.escalated', source: actor(from), afterMs, stage, deadlineMs: deadline(stage), level: to,
      data: { level: to, reason: rng.pick(ESCALATION_REASONS[from] ?? ESCALATION_REASONS.community!), summary: `移交${MEDIATORS[to]}调处` },
    });
  };

  steps.push({ type: 'dispute.mediated', source: actor(current), afterMs: stageTime('registered', 0.4), stage: 'mediating', deadlineMs: deadline('mediating'), data: { summary: mediationSummary(current) } });
  if (escalations >= 1) escalate(days(1.5, 5), 'mediating');
  const risk = rng.weighted<'low' | 'medium' | 'high'>(routed || escalations > 0 ? [['high', 3], ['medium', 5], ['low', 2]] : [['low', 6], ['medium', 3.5], ['high', 0.5]]);
  steps.push({ type: 'dispute.assessed', source: actor(current), afterMs: stageTime('mediating', 1.5), stage: 'assessed', deadlineMs: deadline('assessed'), data: { risk, summary: ASSESSMENT_SUMMARIES[risk] } });
  if (escalations >= 2) escalate(days(0.8, 2.5), 'assessed');
  if (routed) {
    const department = rng.pick(DEPARTMENTS[kind] ?? DEPARTMENTS.other!);
    steps.push({ type: 'dispute.routed', source: actor(current), afterMs: stageTime('assessed', 0.6), stage: 'routed', deadlineMs: deadline('routed'), data: { department, summary: `移送${department}依法处理` } });
    steps.push({ type: 'dispute.resolved', source: 'sim/dept', afterMs: stageTime('routed', 5), stage: 'resolved', deadlineMs: null, data: { outcome: rng.pick(ROUTED_OUTCOMES[department] ?? [ROUTED_OUTCOME_DEFAULT]) } });
  } else {
    // settled where it is: routed without a department, the agreement followed up locally
    steps.push({ type: 'dispute.routed', source: actor(current), afterMs: stageTime('assessed', 0.2), stage: 'routed', deadlineMs: deadline('routed'), data: { summary: localFollowUp(current) } });
    steps.push({ type: 'dispute.resolved', source: actor(current), afterMs: days(0.5, 3), stage: 'resolved', deadlineMs: null, data: { outcome: rng.pick(LOCAL_OUTCOMES) } });
  }
  // the case is closed after the return visit confirms the agreement holds
  steps.push({ type: 'dispute.closed', source: actor(current), afterMs: days(1, 5), stage: 'closed', deadlineMs: null, data: { summary: '回访核实，结案归档' } });
  return { steps, escalations, routed, lateStage, risk };
}

/** What a repeat takes over from the earlier dispute. */
export type RepeatHow = 'party_and_place' | 'party' | 'place';

interface Past {
  id: string;
  at: number;
  grid: SimGrid;
  location: Location;
  address: string;
  parties: string[];
  kind: string;
}

export interface SimDispute extends TrackedCase {
  readonly kind: 'dispute';
  readonly category: string;
  readonly location: Location;
  readonly plan: DisputePlan;
}

export class Disputes {
  readonly runner: CaseRunner<SimDispute>;
  private readonly recent: Past[] = [];
  private counter = 0;

  constructor(private readonly ctx: SimContext, private readonly rng: Rng, private readonly feedback: Feedback) {
    this.runner = new CaseRunner<SimDispute>(ctx, 'disputeId', (c, step, at) => this.afterStep(c, step, at));
  }

  /** Disputes not yet resolved. */
  get openCount(): number {
    return this.runner.open().filter((d) => isOpenStage('dispute', d.stage)).length;
  }

  /** A new dispute in `grid` (a grid worker's lead names the channel). */
  register(at: number, grid: SimGrid, channel?: DisputeChannel): void {
    const rng = this.rng;
    const window = scaled(this.ctx, REPEAT_WINDOW_DAYS * DAY);
    while (this.recent.length > 0 && this.recent[0]!.at < at - window) this.recent.shift();
    const earlier = this.recent.length > 0 && rng.chance(REPEAT_SHARE) ? rng.pick(this.recent) : undefined;
    const how = earlier ? rng.weighted<RepeatHow>([['party_and_place', 50], ['party', 25], ['place', 25]]) : undefined;
    const samePlace = earlier && how !== 'party';
    const where = samePlace ? earlier.grid : grid;
    const via = channel ?? rng.weighted(CHANNELS);
    const kind = earlier && rng.chance(0.8) ? earlier.kind : rng.weighted(disputeKindWeights(where.areaType));
    let parties = disputeParties(rng, kind);
    if (earlier && how !== 'place') parties = [rng.pick(earlier.parties), ...parties.slice(1)];
    const location = samePlace ? earlier.location : round6(this.ctx.map.randomPointIn(where, rng));
    const addr = samePlace ? earlier.address : address(rng, where.place, kind !== 'labour' && kind !== 'traffic');
    const level: Level = via === 'walk_in' ? 'community' : 'grid';
    const id = `${this.ctx.idPrefix}-D${String(++this.counter).padStart(6, '0')}`;
    const summary = rng.pick(DISPUTE_SUMMARIES[kind] ?? DISPUTE_SUMMARIES.other!);
    const deadlineAt = at + scaled(this.ctx, DISPUTE_DEADLINE_DAYS.registered * DAY);
    this.ctx.sink.emit('dispute.registered', CHANNEL_SOURCE[via], at, {
      disputeId: id, kind, parties, location, address: addr, level, channel: via,
      deadline: new Date(deadlineAt).toISOString(),
      summary: earlier ? `再次发生：${summary}` : summary,
      ...(earlier ? { repeatOf: earlier.id } : {}),
    });
    this.recent.push({ id, at, grid: where, location, address: addr, parties, kind });
    const plan = planDispute(rng, kind, level);
    const d: SimDispute = {
      id, kind: 'dispute', category: kind, location, plan, stage: 'registered', deadlineAt, responsibleLevel: level,
      openedAt: at, supervisions: 0, underSupervision: false,
    };
    this.runner.start(d, plan.steps, at);
  }

  /** After resolution: residents rate it, and a grid worker often pays a return visit. */
  private afterStep(d: SimDispute, step: Step, at: number): void {
    if (step.stage !== 'resolved') return;
    const rough = d.plan.escalations > 0 || d.plan.routed || d.plan.lateStage !== null || d.supervisions > 0;
    const satisfaction = this.feedback.maybe(d.id, at, rough ? 'rough' : 'smooth');
    if (this.rng.chance(0.3)) {
      const rng = this.rng;
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(1, 5) * DAY), (t) => this.ctx.sink.emit('gridworker.report', 'sim/grid', t, {
        kind: 'visit', location: d.location, summary: satisfaction !== undefined && satisfaction <= 2 ? RETURN_VISITS.poor : RETURN_VISITS.good,
      }));
    }
  }
}
