// The governance reducer (DESIGN §3): disputes ("4+2"), petitions and supervision orders. Pure.
// Strict (commands) follows CASE_NEXT and never skips a stage; lenient (facts from feeders)
// applies forward jumps and records stale facts without applying them. Escalation moves the
// responsible level up one step; who can see a case (its location's chain) never changes.
import {
  CASE_NEXT, DISPUTE_STAGES, PETITION_STAGES, SUPERVISION_STAGES, isOpenStage, levelAbove,
  type CaseKind, type Dispute, type GovCase, type Petition, type Supervision,
} from '../../shared/governance.js';
import { LEVELS, type Level } from '../../shared/jurisdiction.js';
import type { Incident } from '../../shared/objects.js';
import { refuse, type FactContext, type ReduceResult, type Warning } from '../../shared/incidents/types.js';

/** What the case reducer needs besides the usual context: default deadlines. */
export interface CaseContext extends FactContext {
  /** the default deadline of a stage entered at `from` (working days from the calendar), or null */
  deadlineFor(kind: CaseKind, stage: string, from: string): string | null;
  /** catalogue code of a dispute kind: unknown codes map to `other` */
  disputeCategory(code: string): { code: string; known: boolean };
}

export type CaseOutcome = { ok: true; case: GovCase; stale: boolean; jurisdiction: string[]; warnings: Warning[]; outOfArea?: boolean };
export type CaseResult = CaseOutcome | Extract<ReduceResult, { ok: false }>;

const STAGE_ORDER: Record<CaseKind, readonly string[]> = { dispute: DISPUTE_STAGES, petition: PETITION_STAGES, supervision: SUPERVISION_STAGES };
const FEEDBACK_KEPT = 20;

/** The id at `level` in a chain that runs from some level up to the city; null when the chain does not reach down to it. */
export function chainAt(chain: readonly string[], level: Level): string | null {
  const i = chain.length - 1 - LEVELS.indexOf(level);
  return i >= 0 ? chain[i]! : null;
}

/** The lowest level a chain reaches (grid for a located case). */
export const lowestLevel = (chain: readonly string[]): Level => LEVELS[Math.min(chain.length, LEVELS.length) - 1]!;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);

function bump<T extends GovCase>(c: T, ctx: FactContext, over: Partial<T>): T {
  const { updatedSeq: _s, ...rest } = c;
  return { ...rest, ...over, version: c.version + 1, updatedAt: ctx.receivedAt } as T;
}

const done = (c: GovCase, warnings: Warning[] = [], stale = false): CaseOutcome => ({ ok: true, case: c, stale, jurisdiction: c.jurisdiction, warnings });

function invalid(c: GovCase, to: string) {
  const allowed = (CASE_NEXT[c.kind] as Record<string, readonly string[]>)[c.stage] ?? [];
  return refuse('invalid_transition', `${c.kind} ${c.id} is ${c.stage}: cannot move to ${to}`, 'to', { current: c.stage, version: c.version, allowed });
}

/** Where a new case is placed: its location, else a named jurisdiction, else the city. */
function placeCase(data: Record<string, unknown>, ctx: FactContext): { chain: string[]; gridId: string | null } | ReturnType<typeof refuse> {
  if (ctx.placement) return { chain: ctx.placement.chain, gridId: ctx.placement.gridId };
  const j = str(data.jurisdictionId);
  if (j) {
    const chain = ctx.chainOf(j);
    if (chain.length === 0) return refuse('unknown_jurisdiction', `jurisdictionId "${j}" is not a known jurisdiction`, 'data.jurisdictionId');
    return { chain, gridId: null };
  }
  return { chain: ctx.cityChain, gridId: null };
}

function base(kind: CaseKind, id: string, stage: string, chain: string[], gridId: string | null, data: Record<string, unknown>, ctx: CaseContext, level?: Level) {
  const responsibleLevel = level && chainAt(chain, level) ? level : lowestLevel(chain);
  return {
    id, version: 1, kind, stage, jurisdiction: chain,
    location: ctx.placement?.location ?? null, gridId,
    responsibleLevel, responsibleJurisdiction: chainAt(chain, responsibleLevel) ?? chain.at(-1)!,
    escalations: 0, escalationReason: null,
    deadline: str(data.deadline) ?? ctx.deadlineFor(kind, stage, ctx.time),
    summary: str(data.summary), source: ctx.source,
    openedAt: ctx.time, stageSince: ctx.receivedAt, updatedAt: ctx.receivedAt, resolvedAt: null, closedAt: null,
    feedback: [], satisfaction: null, ratings: 0,
  };
}

/** `dispute.registered`, `petition.filed`: a new case; a second report of the id from its source is recorded, not applied. */
export function openCase(kind: 'dispute' | 'petition', data: Record<string, unknown>, existing: GovCase | null, ctx: CaseContext): CaseResult {
  const id = (kind === 'dispute' ? data.disputeId : data.petitionId) as string;
  if (existing) {
    if (existing.source !== ctx.source) return refuse('case_exists', `${kind} ${id} was already registered by another source`, `data.${kind}Id`);
    return done(existing, [], true);
  }
  const placed = placeCase(data, ctx);
  if ('ok' in placed) return placed;
  const level = typeof data.level === 'string' && (LEVELS as readonly string[]).includes(data.level) ? data.level as Level : undefined;
  const warnings: Warning[] = [];
  if (kind === 'dispute') {
    const reported = str(data.kind) ?? 'other';
    const cat = ctx.disputeCategory(reported);
    if (!cat.known) warnings.push({ code: 'unknown_category', message: `dispute kind "${reported}" is not in the catalogue; recorded as other` });
    const d: Dispute = {
      ...base('dispute', id, 'registered', placed.chain, placed.gridId, data, ctx, level), kind: 'dispute', stage: 'registered',
      category: cat.code, ...(cat.known ? {} : { categoryReported: reported }),
      parties: Array.isArray(data.parties) ? (data.parties as string[]) : [],
      risk: null, department: null, outcome: null, resolvedAtLevel: null,
      incidentIds: str(data.incidentId) ? [data.incidentId as string] : [],
    };
    return { ...done(d, warnings), outOfArea: ctx.placement?.outOfArea || undefined };
  }
  const p: Petition = {
    ...base('petition', id, 'filed', placed.chain, placed.gridId, data, ctx, level), kind: 'petition', stage: 'filed',
    petitioner: str(data.petitioner), subject: str(data.subject), answer: null, answeredAt: null,
  };
  return { ...done(p, warnings), outOfArea: ctx.placement?.outOfArea || undefined };
}

/** `supervision.issued`: an order on an incident, dispute or petition, seen where the case is seen. */
export function issueSupervision(data: Record<string, unknown>, existing: Supervision | null, target: Incident | Dispute | Petition | null, ctx: CaseContext): CaseResult {
  const id = data.supervisionId as string;
  if (existing) return existing.source === ctx.source ? done(existing, [], true) : refuse('case_exists', `supervision ${id} exists`, 'data.supervisionId');
  if (!target) return refuse('unknown_case', `case ${String(data.caseRef)} does not exist`, 'data.caseRef');
  const caseKind = 'kind' in target && (target.kind === 'dispute' || target.kind === 'petition') ? target.kind : 'incident';
  const chain = target.jurisdiction;
  const level = typeof data.level === 'string' && (LEVELS as readonly string[]).includes(data.level) ? data.level as Level
    : caseKind === 'incident' ? 'district' : (target as Dispute | Petition).responsibleLevel;
  const responsibleLevel = chainAt(chain, level) ? level : lowestLevel(chain);
  const s: Supervision = {
    ...base('supervision', id, 'issued', chain, target.gridId, data, ctx, responsibleLevel),
    location: target.location, kind: 'supervision', stage: 'issued',
    caseRef: target.id, caseKind, instruction: str(data.instruction), issuedBy: str(data.by) ?? ctx.source, answer: null, answeredAt: null,
  };
  return done(s);
}

/** A stage change (`dispute.mediated` .. `dispute.closed`, `petition.answered`/`closed`, `supervision.answered`/`closed`). */
export function moveCase(c: GovCase | null, kind: CaseKind, id: string, to: string, data: Record<string, unknown>, ctx: CaseContext, mode: 'strict' | 'lenient'): CaseResult {
  if (!c) return refuse('unknown_case', `${kind} ${id} does not exist`, `data.${kind}Id`);
  const order = STAGE_ORDER[kind];
  const allowed = (CASE_NEXT[kind] as Record<string, readonly string[]>)[c.stage] ?? [];
  if (mode === 'strict' && !allowed.includes(to)) return invalid(c, to);
  if (mode === 'lenient' && order.indexOf(to) <= order.indexOf(c.stage)) return done(c, [], true);
  const over: Record<string, unknown> = {
    stage: to, stageSince: ctx.receivedAt,
    deadline: str(data.deadline) ?? ctx.deadlineFor(kind, to, ctx.time),
  };
  const text = str(data.outcome) ?? str(data.answer) ?? str(data.note) ?? str(data.summary);
  if (kind === 'dispute') {
    if (to === 'assessed' && typeof data.risk === 'string' && ['low', 'medium', 'high'].includes(data.risk)) over.risk = data.risk;
    // routed without a department: followed up where it is (not routed onward)
    if (to === 'routed') Object.assign(over, { department: str(data.department), routedAt: ctx.time });
    if (to === 'resolved') Object.assign(over, { outcome: text, resolvedAt: ctx.time, resolvedAtLevel: c.responsibleLevel });
  } else if (to === 'answered') {
    Object.assign(over, { answer: text, answeredAt: ctx.time });
  }
  if (to === 'closed') {
    over.closedAt = ctx.time;
    if (kind === 'dispute' && !(c as Dispute).resolvedAt) Object.assign(over, { resolvedAt: ctx.time, resolvedAtLevel: c.responsibleLevel });
  }
  // deadlines watch open stages only; the one in force when the case leaves them is kept for the on-time rate
  if (!isOpenStage(kind, to)) {
    if (isOpenStage(kind, c.stage)) over.resolutionDeadline = c.deadline;
    over.deadline = null;
  }
  return done(bump(c, ctx, over as Partial<GovCase>));
}

/** Escalation: the responsible level one step up (or to `level` when higher), with its reason. */
export function escalateCase(c: GovCase | null, kind: CaseKind, id: string, data: Record<string, unknown>, ctx: CaseContext, mode: 'strict' | 'lenient'): CaseResult {
  if (!c) return refuse('unknown_case', `${kind} ${id} does not exist`, `data.${kind}Id`);
  if (!isOpenStage(kind, c.stage)) return mode === 'strict' ? invalid(c, 'escalated') : done(c, [], true);
  const wanted = typeof data.level === 'string' && (LEVELS as readonly string[]).includes(data.level) ? data.level as Level : null;
  const target = wanted && LEVELS.indexOf(wanted) < LEVELS.indexOf(c.responsibleLevel) ? wanted : levelAbove(c.responsibleLevel);
  const chain = ctx.chainOf(c.responsibleJurisdiction);
  const to = target ? chainAt(chain, target) : null;
  if (!target || !to) {
    return mode === 'strict'
      ? refuse('invalid_transition', `${kind} ${id} is already the city's responsibility`, 'level', { current: c.stage, responsibleLevel: c.responsibleLevel })
      : done(c, [], true);
  }
  return done(bump(c, ctx, {
    responsibleLevel: target, responsibleJurisdiction: to, escalations: c.escalations + 1,
    escalationReason: str(data.reason) ?? str(data.summary) ?? str(data.note),
    deadline: str(data.deadline) ?? ctx.deadlineFor(kind, c.stage, ctx.time),
  } as Partial<GovCase>));
}

/** `feedback.received` on a dispute or petition: kept (last 20) and averaged over every rating. */
export function addFeedback(c: Dispute | Petition, data: Record<string, unknown>, ctx: FactContext): CaseOutcome {
  const s = typeof data.satisfaction === 'number' ? data.satisfaction : null;
  const item = { satisfaction: s, comment: str(data.comment), at: ctx.time };
  const ratings = c.ratings + (s === null ? 0 : 1);
  const satisfaction = s === null ? c.satisfaction : ((c.satisfaction ?? 0) * c.ratings + s) / ratings;
  return done(bump(c, ctx, { feedback: [...c.feedback, item].slice(-FEEDBACK_KEPT), ratings, satisfaction } as Partial<GovCase>));
}
