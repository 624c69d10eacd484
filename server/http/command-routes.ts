// Incident commands (DESIGN §3, §4): strict, through the same commit path as ingest. Each command
// builds an event from `console/<username>`, checks scope and `expectedVersion` before reducing,
// reduces strictly, and commits with the version checks of every object it read: another writer
// in between answers 409 version_conflict (one winner per unit), never a silent retry.
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope), 409 (state).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  createIncidentSchema, linkCommandSchema, transitionCommandSchema, unitsCommandSchema,
  type CreateIncident, type LinkCommand, type TransitionCommand, type UnitsCommand,
} from '../../shared/api.js';
import { objectId, type EventType, type ValidEvent } from '../../shared/events.js';
import type { Incident, Unit } from '../../shared/objects.js';
import type { Permission } from '../../shared/permissions.js';
import { currentUser } from '../auth/middleware.js';
import { forViewer, inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { EVENT_FOR_TARGET } from '../../shared/incidents/lifecycle.js';
import { payloadHash } from '../ingest/payload-hash.js';
import { attachedUnitKeys, keysFor, planFact, type StateView } from '../ingest/plan.js';
import { commit } from '../store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../store/keys.js';
import { readObject, readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { check } from './admin-kit.js';
import {
  commandEvent, fieldError, newIncidentId, refusalError, versionConflict,
} from './command-kit.js';
import { ApiError, notFound } from './errors.js';
import { idemConflict, idempotentCommand, type Answer } from './idempotent-command.js';

export interface CommandDeps {
  redis: ScriptedRedis;
  tree: JurisdictionTree;
  /** MINID for trimming the log, or null */
  minId(): string | null;
  replicaAck: boolean;
}

const idParams = z.object({ id: objectId });
export function commandRoutes(deps: CommandDeps): Router {
  const r = Router();
  const { redis, tree } = deps;

  /** One incident command route (server/http/idempotent-command.ts) on `incident:<id>`. */
  const command = (permission: Permission, action: string, run: (req: Request, res: Response, eventId: string) => Promise<Answer>) =>
    idempotentCommand(redis, permission, action, 'incident', run);

  /** Reads what the fact depends on (named objects, then the units attached to the incident). */
  async function readView(ev: ValidEvent): Promise<StateView> {
    const state = (await readObjects<Incident | Unit>(redis, keysFor(ev))) as StateView;
    const more = attachedUnitKeys(ev, state).filter((k) => !state.has(k));
    for (const [k, v] of await readObjects<Unit>(redis, more)) state.set(k, v);
    return state;
  }

  /** Units named in the body must exist and lie in the user's scopes (their home jurisdiction). */
  function checkUnits(res: Response, state: StateView, unitIds: readonly string[]): void {
    const user = currentUser(res);
    unitIds.forEach((id, i) => {
      const u = state.get(keys.object('unit', id)) as Unit | null | undefined;
      if (!u || !inScope(user, u.jurisdiction)) throw fieldError(`unitIds.${i}`, 'unknown_unit', `unit ${id} does not exist`);
    });
  }

  /** Reduces strictly, commits with the version checks, and answers the incident as the viewer sees it. */
  async function apply(res: Response, ev: ValidEvent, state: StateView, incidentId: string, status: number): Promise<Answer> {
    const now = new Date();
    const plan = planFact(ev, state, { tree, receivedAt: now, lastFix: () => null }, 'strict');
    if (!plan.ok) throw refusalError(plan);
    const incident = plan.writes.find(([k]) => k === keys.object('incident', incidentId))?.[1] as Incident | undefined;
    if (!incident) throw new ApiError(409, 'invalid_transition', 'the command changes nothing');
    if (!inScope(currentUser(res), incident.jurisdiction)) throw fieldError('location', 'out_of_scope', 'lies outside your jurisdiction');
    const dedupe = { key: keys.dedupe(ev.source, ev.id), hash: payloadHash(ev.data), ttlSeconds: DEDUPE_TTL_SECONDS };
    const outcome = await commit(redis, [{ dedupe, ...plan.commit }], { minId: deps.minId(), replicaAck: deps.replicaAck });
    if (outcome.conflict) {
      const incKey = keys.object('incident', incidentId);
      const fresh = await readObject<Incident>(redis, incKey);
      const c = outcome.conflict;
      const [, kind = 'object', ...rest] = c.key.split(':');
      throw versionConflict(fresh?.version ?? 0, c.key === incKey ? undefined : { kind, id: rest.join(':'), version: c.current });
    }
    const result = outcome.results[0]!;
    if (result.status === 'idc') throw idemConflict();
    let out: Incident = { ...incident, updatedSeq: result.seq };
    if (result.status === 'dup') {
      // the same Idempotency-Key raced this request and won: answer the object as it is now
      out = (await readObject<Incident>(redis, keys.object('incident', incidentId))) ?? out;
    }
    const body: Record<string, unknown> = { ...forViewer(currentUser(res), out), seq: result.seq };
    if (plan.warnings.length) body.warnings = plan.warnings;
    return { status, body };
  }

  /** Checks the version the client saw before anything is reduced. */
  function checkVersion(inc: Incident, expectedVersion: number): void {
    if (inc.version !== expectedVersion) throw versionConflict(inc.version);
  }

  /** A lifecycle command on an existing incident. */
  async function lifecycle(req: Request, res: Response, eventId: string, type: EventType, data: Record<string, unknown>, expectedVersion: number, unitIds: readonly string[] = []) {
    const { id } = check(idParams, req.params, 'params');
    const ev = commandEvent(type, eventId, currentUser(res).username, { incidentId: id, ...data }, new Date());
    const state = await readView(ev);
    const inc = state.get(keys.object('incident', id)) as Incident | null;
    if (!inc || !inScope(currentUser(res), inc.jurisdiction)) throw notFound(`incident ${id}`);
    checkVersion(inc, expectedVersion);
    checkUnits(res, state, unitIds);
    return apply(res, ev, state, id, 200);
  }

  r.post('/incidents', ...command('incidents.create', 'incidents.create', async (req, res, eventId) => {
    const body = check(createIncidentSchema, req.body, '') as CreateIncident;
    const incidentId = body.incidentId ?? newIncidentId(eventId);
    const { incidentId: _drop, category, priority, location, address, channel, summary, reporter } = body;
    const ev = commandEvent('incident.reported', eventId, currentUser(res).username,
      { incidentId, category, priority, location, address, channel, summary, reporter }, new Date());
    const state = await readView(ev);
    if (state.get(keys.object('incident', incidentId))) {
      throw new ApiError(409, 'incident_exists', `incident ${incidentId} exists`, { path: 'incidentId' });
    }
    return apply(res, ev, state, incidentId, 201);
  }));

  r.post('/incidents/:id/dispatch', ...command('incidents.dispatch', 'incidents.dispatch', async (req, res, eventId) => {
    check(idParams, req.params, 'params');
    const b = check(unitsCommandSchema, req.body, '') as UnitsCommand;
    return lifecycle(req, res, eventId, 'incident.dispatched', { unitIds: b.unitIds, by: currentUser(res).username, note: b.note }, b.expectedVersion, b.unitIds);
  }));

  r.post('/incidents/:id/release', ...command('incidents.dispatch', 'incidents.release', async (req, res, eventId) => {
    check(idParams, req.params, 'params');
    const b = check(unitsCommandSchema, req.body, '') as UnitsCommand;
    return lifecycle(req, res, eventId, 'incident.unit_released', { unitIds: b.unitIds, by: currentUser(res).username, note: b.note }, b.expectedVersion, b.unitIds);
  }));

  r.post('/incidents/:id/link', ...command('incidents.link', 'incidents.link', async (req, res, eventId) => {
    const { id } = check(idParams, req.params, 'params');
    const b = check(linkCommandSchema, req.body, '') as LinkCommand;
    const ev = commandEvent('incident.linked', eventId, currentUser(res).username, { incidentId: id, duplicateOf: b.duplicateOf }, new Date());
    const state = await readView(ev);
    const inc = state.get(keys.object('incident', id)) as Incident | null;
    if (!inc || !inScope(currentUser(res), inc.jurisdiction)) throw notFound(`incident ${id}`);
    const target = state.get(keys.object('incident', b.duplicateOf)) as Incident | null;
    if (!target || !inScope(currentUser(res), target.jurisdiction)) throw fieldError('duplicateOf', 'unknown_incident', `incident ${b.duplicateOf} does not exist`);
    checkVersion(inc, b.expectedVersion);
    return apply(res, ev, state, id, 200);
  }));

  r.post('/incidents/:id/transition', ...command('incidents.transition', 'incidents.transition', async (req, res, eventId) => {
    check(idParams, req.params, 'params');
    const b = check(transitionCommandSchema, req.body, '') as TransitionCommand;
    if (b.to === 'dispatched') throw fieldError('to', 'use_dispatch', 'dispatching names units: use POST /incidents/{id}/dispatch');
    return lifecycle(req, res, eventId, EVENT_FOR_TARGET[b.to], { by: currentUser(res).username, note: b.note }, b.expectedVersion);
  }));

  return r;
}
