// Supervision orders (督办, DESIGN §3, §4): leaders issue them on an incident, dispute or petition
// in their scope (permission `supervision.issue`); coordinators and duty officers answer them
// (permission `supervision.answer`). Both append facts through the strict commit path; the lists
// and reads are in governance-routes.ts.
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope), 409 (state).
import { Router } from 'express';
import { z } from 'zod';
import { objectId } from '../../shared/events.js';
import {
  supervisionAnswerSchema, supervisionCreateSchema, type Dispute, type Petition, type SupervisionAnswer, type SupervisionCreate,
} from '../../shared/governance.js';
import type { Incident } from '../../shared/objects.js';
import { currentUser } from '../auth/middleware.js';
import { inScope } from '../auth/scope.js';
import { caseByRef } from '../governance/reduce-case.js';
import type { ObjectKind } from '../../shared/objects.js';
import { keys } from '../store/keys.js';
import { check } from './admin-kit.js';
import { applyCase, caseCommand, commandOn, CommitConflict, readState, type CaseDeps } from './case-kit.js';
import { commandEvent, fieldError } from './command-kit.js';
import { invalidTransition } from './governance-routes.js';
import { ApiError, notFound } from './errors.js';

const idParams = z.object({ id: objectId });
/** Tries of an order whose supervised case changed between the read and the commit. */
const TRIES = 3;

/** A supervision order id: `S-` and 12 hex digits of the event id (deterministic under an Idempotency-Key). */
export const newSupervisionId = (eventId: string) => `S-${eventId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;

/** Whether a supervised case is finished: nothing is left to supervise. */
const finished = (c: Incident | Dispute | Petition) => ('kind' in c && (c.kind === 'dispute' || c.kind === 'petition')
  ? c.stage === 'closed'
  : (c as Incident).status === 'closed' || (c as Incident).status === 'cancelled');

export function supervisionRoutes(deps: CaseDeps): Router {
  const r = Router();
  const { redis } = deps;

  r.post('/supervisions', ...caseCommand(redis, 'supervision.issue', 'supervisions.issue', 'supervision', async (req, res, eventId) => {
    const b = check(supervisionCreateSchema, req.body, '') as SupervisionCreate;
    if (Date.parse(b.deadline) <= Date.now()) throw fieldError('deadline', 'in_the_past', 'the deadline must lie in the future');
    const user = currentUser(res);
    const supervisionId = newSupervisionId(eventId);
    const ev = commandEvent('supervision.issued', eventId, user.username, {
      supervisionId, caseRef: b.caseRef, deadline: b.deadline, instruction: b.instruction, level: b.level, by: user.username,
    }, new Date());
    for (let attempt = 1; ; attempt++) {
      const state = await readState(redis, ev);
      const get = <T extends object>(kind: ObjectKind, id: string) => (state.get(keys.object(kind, id)) ?? null) as T | null;
      const target = caseByRef(b.caseRef, get);
      if (!target || !inScope(user, target.jurisdiction)) throw notFound(`case ${b.caseRef}`);
      if (finished(target)) {
        const current = 'kind' in target ? (target as Dispute | Petition).stage : target.status;
        throw new ApiError(409, 'case_closed', `case ${b.caseRef} is ${current}: nothing left to supervise`, { current, path: 'caseRef' });
      }
      if (get('supervision', supervisionId)) throw new ApiError(409, 'case_exists', `supervision ${supervisionId} exists`, { path: 'supervisionId' });
      try {
        const body = await applyCase(deps, res, ev, state, 'supervision', supervisionId);
        return { status: 201, body: { ...body, supervisionId } };
      } catch (err) {
        // the supervised case moved meanwhile: the order does not depend on its version, so read again
        if (!(err instanceof CommitConflict) || attempt >= TRIES) {
          if (err instanceof CommitConflict) throw new ApiError(409, 'version_conflict', `case ${b.caseRef} keeps changing; retry`, { current: err.current });
          throw err;
        }
      }
    }
  }));

  r.post('/supervisions/:id/answer', ...caseCommand(redis, 'supervision.answer', 'supervisions.answer', 'supervision', async (req, res, eventId) => {
    const { id } = check(idParams, req.params, 'params');
    const b = check(supervisionAnswerSchema, req.body, '') as SupervisionAnswer;
    const by = currentUser(res).username;
    const ev = commandEvent('supervision.answered', eventId, by, { supervisionId: id, answer: b.answer, by }, new Date());
    return commandOn(deps, res, 'supervision', id, ev, b.expectedVersion, (c) => {
      if (c.stage !== 'issued') throw invalidTransition(c, 'answered');
    });
  }));

  return r;
}
