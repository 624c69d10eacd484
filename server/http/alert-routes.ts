// Alerts (DESIGN §4, §8): the list in the user's scopes (permission `read`) and acknowledgement
// (permission `alerts.acknowledge`), which appends `alert.acknowledged` from console/<username>
// through the same reducer and commit path as ingest, with the alert's version checked.
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope), 409 (state).
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { acknowledgeAlertSchema, alertListQuerySchema, type AcknowledgeAlert, type AlertListQuery } from '../../shared/api.js';
import { objectId } from '../../shared/events.js';
import type { Alert, AlertState } from '../../shared/objects.js';
import { audit } from '../auth/audit-context.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { payloadHash } from '../ingest/payload-hash.js';
import { planFact, type StateView } from '../ingest/plan.js';
import { commit } from '../store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { readObject, readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { check } from './admin-kit.js';
import { commandEvent, refusalError } from './command-kit.js';
import { ApiError, notFound, parse } from './errors.js';
import { resolveScope } from './scope-param.js';

export interface AlertDeps {
  redis: ScriptedRedis;
  tree: JurisdictionTree;
  /** MINID for trimming the log, or null */
  minId(): string | null;
  replicaAck: boolean;
}

const idParams = z.object({ id: objectId });
/** Without `state`, the list shows the alerts not yet cleared. */
const DEFAULT_STATES: AlertState[] = ['open', 'acknowledged'];

const stateConflict = (a: Alert) =>
  new ApiError(409, 'invalid_transition', `alert ${a.id} is ${a.state}: only open alerts are acknowledged`, { current: a.state, allowed: ['open'] });

export function alertRoutes(deps: AlertDeps): Router {
  const r = Router();
  const { redis, tree } = deps;

  r.get('/alerts', requirePermission('read'), parse(alertListQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as AlertListQuery;
    const user = currentUser(res);
    const scopes = resolveScope(tree, user.scopes, q.scope);
    const states = q.state?.length ? q.state : DEFAULT_STATES;
    const { asOfSeq, logEpoch } = await logHead(redis);
    const p = redis.pipeline();
    for (const s of scopes) for (const st of states) p.zrevrange(keys.alertsByState(s, st), 0, q.limit - 1, 'WITHSCORES');
    const replies = (await p.exec()) ?? [];
    const scores = new Map<string, number>();
    for (const [err, val] of replies) {
      if (err) throw err;
      const flat = val as string[];
      for (let i = 0; i < flat.length; i += 2) scores.set(flat[i]!, Math.max(scores.get(flat[i]!) ?? -Infinity, Number(flat[i + 1])));
    }
    const ids = [...scores.keys()].sort((a, b) => scores.get(b)! - scores.get(a)! || (a < b ? 1 : -1)).slice(0, q.limit);
    const objs = await readObjects<Alert>(redis, ids.map((id) => keys.object('alert', id)));
    const items = [...objs.values()].filter((a): a is Alert => a !== null && states.includes(a.state) && inScope(user, a.jurisdiction))
      .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? 1 : -1));
    res.json({ items, asOfSeq, logEpoch });
  });

  r.post('/alerts/:id/acknowledge', requirePermission('alerts.acknowledge'), async (req: Request, res: Response) => {
    const user = currentUser(res);
    const object = `alert:${String(req.params.id).slice(0, 128)}`;
    try {
      const { id } = check(idParams, req.params, 'params');
      const body = check(acknowledgeAlertSchema, req.body, '') as AcknowledgeAlert;
      const key = keys.object('alert', id);
      const alert = await readObject<Alert>(redis, key);
      if (!alert || !inScope(user, alert.jurisdiction)) throw notFound(`alert ${id}`);
      if (body.expectedVersion !== undefined && body.expectedVersion !== alert.version) {
        throw new ApiError(409, 'version_conflict', `the alert is at version ${alert.version}; reload and retry`, { current: alert.version });
      }
      if (alert.state !== 'open') throw stateConflict(alert);
      const now = new Date();
      const ev = commandEvent('alert.acknowledged', randomUUID(), user.username, { alertId: id, by: user.username, note: body.note }, now);
      const state: StateView = new Map([[key, alert]]);
      const plan = planFact(ev, state, { tree, receivedAt: now, lastFix: () => null }, 'strict');
      if (!plan.ok) throw refusalError(plan);
      const next = plan.writes.find(([k]) => k === key)![1] as Alert;
      const dedupe = { key: keys.dedupe(ev.source, ev.id), hash: payloadHash(ev.data), ttlSeconds: DEDUPE_TTL_SECONDS };
      const outcome = await commit(redis, [{ dedupe, ...plan.commit }], { minId: deps.minId(), replicaAck: deps.replicaAck });
      if (outcome.conflict) {
        // another writer moved the alert meanwhile (acknowledged, escalated or cleared it)
        const fresh = await readObject<Alert>(redis, key);
        if (fresh && fresh.state !== 'open') throw stateConflict(fresh);
        throw new ApiError(409, 'version_conflict', `the alert is at version ${fresh?.version ?? 0}; reload and retry`, { current: fresh?.version ?? 0 });
      }
      const seq = outcome.results[0]!.seq;
      await audit(req, res, { action: 'alerts.acknowledge', object, result: 'success', details: { seq } });
      res.json({ ...next, updatedSeq: seq, seq });
    } catch (err) {
      if (err instanceof ApiError) await audit(req, res, { action: 'alerts.acknowledge', object, result: 'failure', details: { status: err.status, code: err.code } });
      throw err;
    }
  });

  return r;
}
