// Routes governance facts (dispute.*, petition.*, supervision.*, feedback on a case) to the case
// reducer. Pure; null for facts that are not about a governance case.
import type { ValidEvent } from '../../shared/events.js';
import type { CaseKind, Dispute, GovCase, Petition, Supervision } from '../../shared/governance.js';
import type { Incident, ObjectKind } from '../../shared/objects.js';
import type { ReduceResult } from '../../shared/incidents/types.js';
import { addFeedback, escalateCase, issueSupervision, moveCase, openCase, type CaseContext, type CaseResult } from './case-reducer.js';

export type CaseGetter = <T extends object>(kind: ObjectKind, id: string) => T | null;

/** Stage targets of the stage-changing facts. */
const STAGE_OF: Record<string, [CaseKind, string]> = {
  'dispute.mediated': ['dispute', 'mediating'],
  'dispute.assessed': ['dispute', 'assessed'],
  'dispute.routed': ['dispute', 'routed'],
  'dispute.resolved': ['dispute', 'resolved'],
  'dispute.closed': ['dispute', 'closed'],
  'petition.answered': ['petition', 'answered'],
  'petition.closed': ['petition', 'closed'],
  'supervision.answered': ['supervision', 'answered'],
  'supervision.closed': ['supervision', 'closed'],
};

const ID_FIELD: Record<CaseKind, string> = { dispute: 'disputeId', petition: 'petitionId', supervision: 'supervisionId' };

/** The case a `caseRef` names (ids are unique across incidents, disputes and petitions). */
export function caseByRef(ref: string, get: CaseGetter): Incident | Dispute | Petition | null {
  return get<Dispute>('dispute', ref) ?? get<Petition>('petition', ref) ?? get<Incident>('incident', ref);
}

const asReduce = (r: CaseResult, also?: { kind: ObjectKind; id: string }[]): ReduceResult => (r.ok
  ? { ok: true, incident: null, units: [], case: r.stale ? undefined : r.case, stale: r.stale, jurisdiction: r.jurisdiction, warnings: r.warnings, outOfArea: r.outOfArea, alsoTimeline: [{ kind: r.case.kind, id: r.case.id }, ...(also ?? [])] }
  : r);

export function reduceCase(ev: ValidEvent, ctx: CaseContext, get: CaseGetter, mode: 'strict' | 'lenient'): ReduceResult | null {
  const data = ev.data as Record<string, unknown>;
  switch (ev.type) {
    case 'dispute.registered': return asReduce(openCase('dispute', data, get<GovCase>('dispute', data.disputeId as string), ctx));
    case 'petition.filed': return asReduce(openCase('petition', data, get<GovCase>('petition', data.petitionId as string), ctx));
    case 'dispute.escalated':
    case 'petition.escalated': {
      const kind = ev.type === 'dispute.escalated' ? 'dispute' : 'petition';
      const id = data[ID_FIELD[kind]] as string;
      return asReduce(escalateCase(get<GovCase>(kind, id), kind, id, data, ctx, mode));
    }
    case 'supervision.issued': {
      const target = caseByRef(data.caseRef as string, get);
      const r = issueSupervision(data, get<Supervision>('supervision', data.supervisionId as string), target, ctx);
      return asReduce(r, target ? [{ kind: r.ok ? (r.case as Supervision).caseKind : 'incident', id: target.id }] : []);
    }
    case 'feedback.received': {
      const ref = data.caseRef as string;
      const c = get<Dispute>('dispute', ref) ?? get<Petition>('petition', ref);
      return c ? asReduce({ ...addFeedback(c, data, ctx) }) : null;
    }
    default: {
      const target = STAGE_OF[ev.type];
      if (!target) return null;
      const [kind, stage] = target;
      const id = data[ID_FIELD[kind]] as string;
      const c = get<GovCase>(kind, id);
      const r = moveCase(c, kind, id, stage, data, ctx, mode);
      // an answered or closed supervision order shows in its case's timeline too
      const also = kind === 'supervision' && c ? [{ kind: (c as Supervision).caseKind, id: (c as Supervision).caseRef } as const] : [];
      return asReduce(r, also);
    }
  }
}
