// Governance cases over HTTP (DESIGN §3, §4): lists and reads of disputes, petitions and
// supervision orders (permission `read`), and the strict commands on disputes and petitions
// (permission `disputes.route`): a stage transition that may not skip a stage, and escalation of
// the responsible level. Visibility follows the case's `jurisdiction` (its location's chain),
// which escalation never changes; an object outside the caller's scopes answers 404.
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope), 409 (state).
import { Router } from 'express';
import { z } from 'zod';
import { objectId, type EventType } from '../../shared/events.js';
import {
  CASE_EVENT_FOR_STAGE, CASE_NEXT, CASE_STAGES, caseEscalateSchema, caseListQueryFor, caseTransitionSchema,
  type CaseEscalate, type CaseKind, type CaseListQuery, type CaseTransition, type GovCase,
} from '../../shared/governance.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { inScope } from '../auth/scope.js';
import { listCases } from '../store/case-queries.js';
import { decodeCursor, encodeCursor, readTimeline } from '../store/incident-queries.js';
import { keys } from '../store/keys.js';
import { lastSeq, logHead } from '../store/log.js';
import { readObject } from '../store/objects.js';
import { check } from './admin-kit.js';
import { auditPetitionerRead, caseCommand, caseEntryForViewer, commandOn, viewCases, type CaseDeps } from './case-kit.js';
import { commandEvent, fieldError } from './command-kit.js';
import { ApiError, notFound, parse } from './errors.js';
import { resolveScope } from './scope-param.js';

export const CASE_PATHS: Record<CaseKind, string> = { dispute: 'disputes', petition: 'petitions', supervision: 'supervisions' };
export const CASE_ID_FIELD = { dispute: 'disputeId', petition: 'petitionId', supervision: 'supervisionId' } as const;

const idParams = z.object({ id: objectId });

const badCursor = () => new ApiError(400, 'invalid_request', 'query.cursor: not a cursor from this API', {
  errors: [{ path: 'query.cursor', code: 'invalid_cursor', message: 'query.cursor: not a cursor from this API' }],
});

/** 409 invalid_transition with the current stage and the stages allowed from it (the strict reducer's refusal, before reducing). */
export function invalidTransition(c: GovCase, to: string): ApiError {
  const allowed = (CASE_NEXT[c.kind] as Record<string, readonly string[]>)[c.stage] ?? [];
  return new ApiError(409, 'invalid_transition', `${c.kind} ${c.id} is ${c.stage}: cannot move to ${to}`, { current: c.stage, version: c.version, allowed, path: 'to' });
}

/** Fields of a transition that only some targets take: 400 naming the field. */
function checkTransitionFields(kind: 'dispute' | 'petition', b: CaseTransition): void {
  const stages: readonly string[] = CASE_STAGES[kind];
  if (!stages.includes(b.to)) throw fieldError('to', 'unknown_stage', `a ${kind} stage is one of ${stages.join(', ')}`);
  if (kind === 'petition') {
    if (b.department !== undefined) throw fieldError('department', 'not_applicable', 'petitions are not routed to departments');
    if (b.risk !== undefined) throw fieldError('risk', 'not_applicable', 'petitions carry no risk assessment');
    return;
  }
  if (b.department !== undefined && b.to !== 'routed') throw fieldError('department', 'not_applicable', 'only a move to routed names a department');
  if (b.risk !== undefined && b.to !== 'assessed') throw fieldError('risk', 'not_applicable', 'only a move to assessed records the risk');
}

export function governanceRoutes(deps: CaseDeps): Router {
  const r = Router();
  const { redis, tree } = deps;
  const read = requirePermission('read');

  for (const kind of ['dispute', 'petition', 'supervision'] as const) {
    const path = CASE_PATHS[kind];

    r.get(`/${path}`, read, parse(caseListQueryFor(kind), 'query', 'q'), async (req, res) => {
      const q = res.locals.q as Omit<CaseListQuery, 'stage'> & { stage?: string[] };
      const user = currentUser(res);
      const scopes = resolveScope(tree, user.scopes, q.scope);
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (cursor === null) throw badCursor();
      const { asOfSeq, logEpoch } = await logHead(redis);
      const now = Date.now();
      const page = await listCases(redis, {
        kind, view: q.view ?? 'located', scopes, stages: q.stage, overdue: q.overdue !== undefined, now, limit: q.limit, cursor,
        visible: (c) => inScope(user, c.jurisdiction),
      });
      await auditPetitionerRead(req, res, page.items);
      res.json({ items: await viewCases(redis, user, page.items, now), nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null, asOfSeq, logEpoch });
    });

    r.get(`/${path}/:id`, read, parse(idParams, 'params', 'p'), async (req, res) => {
      const { id } = res.locals.p as { id: string };
      const user = currentUser(res);
      const asOfSeq = await lastSeq(redis);
      const c = await readObject<GovCase>(redis, keys.object(kind, id));
      if (!c || !inScope(user, c.jurisdiction)) throw notFound(`${kind} ${id}`);
      const timeline = (await readTimeline(redis, keys.timeline(kind, id))).map((e) => caseEntryForViewer(user, e));
      await auditPetitionerRead(req, res, [c]);
      const [view] = await viewCases(redis, user, [c], Date.now());
      res.json({ ...view, timeline, asOfSeq });
    });
  }

  for (const kind of ['dispute', 'petition'] as const) {
    const path = CASE_PATHS[kind];
    const idField = CASE_ID_FIELD[kind];

    r.post(`/${path}/:id/transition`, ...caseCommand(redis, 'disputes.route', `${path}.transition`, kind, async (req, res, eventId) => {
      const { id } = check(idParams, req.params, 'params');
      const b = check(caseTransitionSchema, req.body, '') as CaseTransition;
      checkTransitionFields(kind, b);
      const by = currentUser(res).username;
      const data = kind === 'dispute'
        ? { disputeId: id, by, note: b.note, department: b.department, risk: b.risk, outcome: b.outcome, deadline: b.deadline }
        : { petitionId: id, by, note: b.note, answer: b.outcome, deadline: b.deadline };
      const type = CASE_EVENT_FOR_STAGE[kind][b.to] as EventType;
      const ev = commandEvent(type, eventId, by, data, new Date());
      return commandOn(deps, res, kind, id, ev, b.expectedVersion, (c) => {
        const allowed = (CASE_NEXT[kind] as Record<string, readonly string[]>)[c.stage] ?? [];
        if (!allowed.includes(b.to)) throw invalidTransition(c, b.to);
      });
    }));

    r.post(`/${path}/:id/escalate`, ...caseCommand(redis, 'disputes.route', `${path}.escalate`, kind, async (req, res, eventId) => {
      const { id } = check(idParams, req.params, 'params');
      const b = check(caseEscalateSchema, req.body, '') as CaseEscalate;
      const by = currentUser(res).username;
      const ev = commandEvent(`${kind}.escalated`, eventId, by, { [idField]: id, reason: b.reason, by }, new Date());
      // the strict reducer refuses closed cases and cases already at the city (409 invalid_transition)
      return commandOn(deps, res, kind, id, ev, b.expectedVersion);
    }));
  }

  return r;
}
