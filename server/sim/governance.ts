import type { EventData } from '../../shared/events.js';
import type { Level } from '../../shared/jurisdiction.js';
import { DAY, HOUR, MINUTE, scaled, type SimContext } from './context.js';
import type { SimIncident } from './incidents.js';
import {
  DISPUTE_KINDS, disputeSummary, FEEDBACK_COMMENTS, GRIDWORKER_REPORTS, MEDIATION_OUTCOMES,
  PETITION_SUBJECTS, personName, SUPERVISION_INSTRUCTIONS,
} from './names.js';
import { hash32, type Rng, WeightedTable } from './random.js';
import { expectedCount, officeRhythm, OFFICE_PROFILE_MEAN } from './rhythm.js';
import { round6, type SimGrid } from './space.js';

/** Per-day volumes at SIM_SPEED=1 for a city of a few hundred grids. */
export const GOVERNANCE_RATES = { disputes: 48, petitions: 8, supervisions: 6, gridworkerReports: 60 } as const;
const FEEDBACK_SHARE = { incident: 0.15, dispute: 0.4 } as const;
/** Share of disputes that stall past their deadline, so overdue alerts have something to find. */
const STALL_SHARE = 0.08;
const ESCALATE_SHARE = 0.1;
const AREA_WEIGHT = { urban: 1, suburban: 0.8, rural: 0.6 } as const;

type DisputeStage = 'dispute.mediated' | 'dispute.escalated' | 'dispute.assessed' | 'dispute.routed' | 'dispute.resolved';

interface SimDispute {
  id: string;
  registeredAt: number;
}

/** Disputes (the "4+2" stages), petitions, supervision orders, feedback and grid-worker reports. */
export class Governance {
  private readonly disputes = new Map<string, SimDispute>();
  private readonly table: WeightedTable<SimGrid>;
  private readonly counters = { D: 0, P: 0, S: 0 };

  constructor(
    private readonly ctx: SimContext,
    private readonly rng: Rng,
    private readonly openIncidents: () => SimIncident[],
  ) {
    this.table = new WeightedTable(ctx.map.grids, (g) => AREA_WEIGHT[g.areaType]);
  }

  get openDisputes(): number {
    return this.disputes.size;
  }

  /** Schedules the arrivals of [fromMs, toMs). */
  arrivals(fromMs: number, toMs: number): void {
    const spawn = (perDay: number, run: (at: number) => void) => {
      const mean = expectedCount(perDay * this.ctx.speed, officeRhythm, OFFICE_PROFILE_MEAN, fromMs, toMs);
      const n = this.rng.poisson(mean);
      for (let i = 0; i < n; i++) this.ctx.scheduler.at(fromMs + this.rng.next() * (toMs - fromMs), run);
    };
    spawn(GOVERNANCE_RATES.disputes, (t) => this.registerDispute(t, this.table.pick(this.rng)));
    spawn(GOVERNANCE_RATES.petitions, (t) => this.filePetition(t));
    spawn(GOVERNANCE_RATES.supervisions, (t) => this.issueSupervision(t));
    spawn(GOVERNANCE_RATES.gridworkerReports, (t) => this.gridworkerReport(t));
  }

  /** Residents rate some closed incidents. */
  incidentClosed(incident: SimIncident, at: number): void {
    if (this.rng.chance(FEEDBACK_SHARE.incident)) this.feedback(incident.id, at);
  }

  private nextId(kind: 'D' | 'P' | 'S'): string {
    const n = ++this.counters[kind];
    return `${this.ctx.idPrefix}-${kind}${String(n).padStart(6, '0')}`;
  }

  /** A delay scaled by SIM_SPEED, never shorter than `minMs` (stages need visible time). */
  private later(mean: number, minMs: number): number {
    return scaled(this.ctx, Math.max(minMs, this.rng.exp(mean)));
  }

  private registerDispute(at: number, grid: SimGrid): void {
    const rng = this.rng;
    const land = grid.areaType === 'rural' ? 25 : grid.areaType === 'suburban' ? 8 : 0;
    const kind = rng.weighted<string>(DISPUTE_KINDS.map((k) => [k, k === '土地纠纷' ? land : k === '邻里纠纷' ? 30 : k === '消费纠纷' ? 10 : 18]));
    const parties = Array.from({ length: kind === '劳资纠纷' && rng.chance(0.4) ? rng.int(3, 8) : 2 }, () => personName(rng));
    const id = this.nextId('D');
    this.disputes.set(id, { id, registeredAt: at });
    this.ctx.sink.emit('dispute.registered', 'sim/grid', at, {
      disputeId: id,
      kind,
      parties,
      location: round6(this.ctx.map.randomPointIn(grid, rng)),
      deadline: new Date(at + scaled(this.ctx, 3 * DAY)).toISOString(),
      level: 'grid',
      summary: disputeSummary(rng, kind),
    });
    const stalled = rng.chance(STALL_SHARE);
    let t = at + (stalled ? scaled(this.ctx, 4 * DAY) : this.later(2 * HOUR, 10 * MINUTE));
    this.emitAt(t, 'dispute.mediated', { disputeId: id, summary: '网格员组织双方调解' });
    if (rng.chance(ESCALATE_SHARE)) {
      t += this.later(HOUR, 30 * MINUTE);
      const level: Level = 'community';
      this.emitAt(t, 'dispute.escalated', { disputeId: id, level, summary: '网格调解未果，提交社区调委会' });
    }
    // Every stage is sent in order: the state machine lets none be skipped.
    t += this.later(HOUR, 30 * MINUTE);
    this.emitAt(t, 'dispute.assessed', { disputeId: id });
    t += this.later(20 * MINUTE, 10 * MINUTE);
    this.emitAt(t, 'dispute.routed', { disputeId: id });
    t += this.later(4 * HOUR, 30 * MINUTE);
    this.emitAt(t, 'dispute.resolved', { disputeId: id, outcome: rng.pick(MEDIATION_OUTCOMES) });
    t += this.later(2 * HOUR, HOUR);
    this.ctx.scheduler.at(t, (x) => {
      this.disputes.delete(id);
      this.ctx.sink.emit('dispute.closed', 'sim/grid', x, { disputeId: id });
      if (rng.chance(FEEDBACK_SHARE.dispute)) this.feedback(id, x);
    });
  }

  private emitAt(at: number, type: DisputeStage, data: EventData<DisputeStage>): void {
    this.ctx.scheduler.at(at, (t) => this.ctx.sink.emit(type, 'sim/grid', t, data));
  }

  private filePetition(at: number): void {
    const rng = this.rng;
    const grid = this.table.pick(rng);
    const id = this.nextId('P');
    // Squaring skews the pool so a few petitioners come back again and again, as they do.
    const petitioner = `pk-${hash32(`petitioner-${Math.floor(300 * rng.next() ** 2)}`).toString(16).padStart(8, '0')}`;
    const subject = rng.pick(PETITION_SUBJECTS);
    const where = rng.chance(0.7) ? { location: round6(this.ctx.map.randomPointIn(grid, rng)) } : { jurisdictionId: grid.id };
    this.ctx.sink.emit('petition.filed', 'sim/petition', at, {
      petitionId: id, petitioner, subject, ...where,
      deadline: new Date(at + scaled(this.ctx, 60 * DAY)).toISOString(),
    });
    const answered = at + this.later(12 * HOUR, HOUR);
    this.ctx.scheduler.at(answered, (t) => this.ctx.sink.emit('petition.answered', 'sim/petition', t, {
      petitionId: id, answer: '已书面答复信访人，告知办理结果',
    }));
    this.ctx.scheduler.at(answered + scaled(this.ctx, rng.range(2, 24) * HOUR), (t) =>
      this.ctx.sink.emit('petition.closed', 'sim/petition', t, { petitionId: id }));
  }

  /** Leaders supervise open cases: mostly disputes that drag on, sometimes an incident. */
  private issueSupervision(at: number): void {
    const rng = this.rng;
    const disputes = [...this.disputes.values()].sort((a, b) => a.registeredAt - b.registeredAt);
    const incidents = this.openIncidents();
    const oldestThird = <T>(xs: T[]) => xs.slice(0, Math.ceil(xs.length / 3));
    const useDispute = disputes.length > 0 && (incidents.length === 0 || rng.chance(0.7));
    const caseRef = useDispute
      ? rng.pick(oldestThird(disputes)).id
      : incidents.length > 0 ? rng.pick(oldestThird(incidents)).id : undefined;
    if (!caseRef) return;
    const id = this.nextId('S');
    const level = rng.weighted<Level>([['district', 5], ['street', 4], ['city', 1]]);
    this.ctx.sink.emit('supervision.issued', 'sim/leader', at, {
      supervisionId: id, caseRef, level,
      deadline: new Date(at + scaled(this.ctx, 2 * DAY)).toISOString(),
      instruction: rng.pick(SUPERVISION_INSTRUCTIONS),
    });
    const answered = at + scaled(this.ctx, rng.range(2, 12) * HOUR);
    this.ctx.scheduler.at(answered, (t) => this.ctx.sink.emit('supervision.answered', 'sim/leader', t, {
      supervisionId: id, caseRef, instruction: '已按要求落实，情况已反馈',
    }));
    this.ctx.scheduler.at(answered + scaled(this.ctx, rng.range(1, 4) * HOUR), (t) =>
      this.ctx.sink.emit('supervision.closed', 'sim/leader', t, { supervisionId: id, caseRef }));
  }

  private feedback(caseRef: string, closedAt: number): void {
    const rng = this.rng;
    const satisfaction = rng.weighted<number>([[5, 45], [4, 30], [3, 12], [2, 8], [1, 5]]);
    this.ctx.scheduler.at(closedAt + scaled(this.ctx, rng.range(1, 6) * HOUR), (t) =>
      this.ctx.sink.emit('feedback.received', 'sim/feedback', t, {
        caseRef, satisfaction, comment: rng.pick(FEEDBACK_COMMENTS[satisfaction] ?? ['无']),
      }));
  }

  private gridworkerReport(at: number): void {
    const rng = this.rng;
    const grid = this.table.pick(rng);
    const kind = rng.weighted<string>([['hazard', 4], ['dispute_lead', 2], ['visit', 4]]);
    this.ctx.sink.emit('gridworker.report', 'sim/grid', at, {
      kind,
      location: round6(this.ctx.map.randomPointIn(grid, rng)),
      summary: rng.pick(GRIDWORKER_REPORTS[kind] ?? ['日常巡查']),
    });
    // Some leads ripen into disputes that grid workers then register.
    if (kind === 'dispute_lead' && rng.chance(0.3)) {
      this.ctx.scheduler.at(at + scaled(this.ctx, rng.range(30, 180) * MINUTE), (t) => this.registerDispute(t, grid));
    }
  }
}
