// Governance HTTP calls (DESIGN §4): disputes, petitions and supervision orders (督办), their
// commands with `expectedVersion` and an Idempotency-Key per user action, and the governance
// indicators of GET /stats. Types come from the shared zod schemas (type-only imports keep zod
// out of the bundle).
import type { z } from 'zod';
import type {
  CaseEscalate, CaseKind, CaseTransition, Dispute, disputeDetailSchema, GovernanceStats, GridWorkerList, PetitionView, petitionDetailSchema,
  Supervision, SupervisionAnswer, SupervisionCreate, supervisionDetailSchema,
} from '../../shared/governance.js';
import type { Level } from '../../shared/jurisdiction.js';
import { newIdempotencyKey } from './commands.js';
import { api } from './http.js';

/** A case as the console holds it (petitions carry `repeatCount`). */
export type CaseObject = Dispute | PetitionView | Supervision;
export type DisputeDetail = z.infer<typeof disputeDetailSchema>;
export type PetitionDetail = z.infer<typeof petitionDetailSchema>;
export type SupervisionDetail = z.infer<typeof supervisionDetailSchema>;
export type CaseDetail = DisputeDetail | PetitionDetail | SupervisionDetail;

export interface CaseList<T extends CaseObject = CaseObject> {
  items: T[];
  nextCursor: string | null;
  asOfSeq: string | null;
  logEpoch?: string;
}

/** A command's answer: the object as GET shows it, and the seq of the appended entry. */
export type CaseCommandResult = CaseObject & { seq: string; warnings?: { code: string; message: string }[]; supervisionId?: string };

const enc = encodeURIComponent;
/** The collection path of a kind. */
export const casePath = (kind: CaseKind) => `/${kind === 'dispute' ? 'disputes' : kind === 'petition' ? 'petitions' : 'supervisions'}`;

function post<T>(path: string, body: unknown, key = newIdempotencyKey()): Promise<T> {
  return api<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key } });
}

/** GET /disputes, /petitions, /supervisions: one page (`query` without `limit`/`cursor`). */
export function listCases(kind: CaseKind, query: string, limit: number, cursor: string | null): Promise<CaseList> {
  const c = cursor === null ? '' : `&cursor=${enc(cursor)}`;
  return api<CaseList>(`${casePath(kind)}?${query}${query ? '&' : ''}limit=${limit}${c}`);
}

/** GET /<kind>s/:id with the case's timeline. */
export const getCase = (kind: CaseKind, id: string) => api<CaseDetail>(`${casePath(kind)}/${enc(id)}`);

export const transitionCase = (kind: 'dispute' | 'petition', id: string, body: CaseTransition) =>
  post<CaseCommandResult>(`${casePath(kind)}/${enc(id)}/transition`, body);

export const escalateCase = (kind: 'dispute' | 'petition', id: string, body: CaseEscalate) =>
  post<CaseCommandResult>(`${casePath(kind)}/${enc(id)}/escalate`, body);

/** POST /supervisions (leaders): 201 with the new order. */
export const issueSupervision = (body: SupervisionCreate) => post<CaseCommandResult>('/supervisions', body);

export const answerSupervision = (id: string, body: SupervisionAnswer) =>
  post<CaseCommandResult>(`/supervisions/${enc(id)}/answer`, body);

/** GET /stats?metric=governance: per-jurisdiction indicators at `level` over [from, to). */
export function governanceStats(q: { scope?: string; from: string; to: string; level?: Level }): Promise<GovernanceStats> {
  const p = new URLSearchParams({ metric: 'governance', from: q.from, to: q.to, level: q.level ?? 'community' });
  if (q.scope) p.set('scope', q.scope);
  return api<GovernanceStats>(`/stats?${p.toString()}`);
}

/** GET /gridworkers: the grid workers (网格员) in the user's scopes with their reports of the last 30 days. */
export function listGridWorkers(scope?: string): Promise<GridWorkerList> {
  return api<GridWorkerList>(`/gridworkers${scope ? `?scope=${enc(scope)}` : ''}`);
}

/** The object of a command's answer or a detail, without the answer's own fields. */
export function toCase(r: CaseCommandResult | CaseDetail): CaseObject {
  const { seq: _seq, warnings: _w, supervisionId: _s, timeline: _t, asOfSeq: _a, ...rest } = r as CaseCommandResult & Partial<DisputeDetail>;
  return rest as CaseObject;
}
