// The duty desk (DESIGN §9; issue 8): who is on duty now and the latest shift handovers
// (GET /duty), recording a handover (POST /duty/handover, permission `duty.handover`: a
// `duty.handover` fact through the strict commit path, indexed by its commit), and the roster
// (PUT /duty/roster, permission `settings.manage`).
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope).
import { Router } from 'express';
import { z } from 'zod';
import { dutyRosterSchema, handoverCreateSchema, type Duty, type DutyRoster, type Handover, type HandoverCreate } from '../../shared/wall.js';
import type { FieldError } from '../../shared/validation.js';
import { audit } from '../auth/audit-context.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { getUser } from '../auth/users.js';
import type { JurisdictionTree } from '../geo/types.js';
import { payloadHash } from '../ingest/payload-hash.js';
import { planFact } from '../ingest/plan.js';
import { handoverOf } from '../ingest/stats-ops.js';
import { commit } from '../store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { latestHandovers, readRoster, writeRoster } from '../stats/duty.js';
import { onDuty, shiftAt } from '../stats/wall-kpis.js';
import { check, fail } from './admin-kit.js';
import { commandEvent, refusalError } from './command-kit.js';
import { ApiError, parse } from './errors.js';
import { idemConflict, idempotentCommand } from './idempotent-command.js';
import { resolveScope } from './scope-param.js';

export interface DutyDeps {
  redis: ScriptedRedis;
  tree: JurisdictionTree;
  timeZone: string;
  /** MINID for trimming the log, or null */
  minId(): string | null;
  replicaAck: boolean;
}

export const dutyQuerySchema = z.object({ scope: z.string().max(128).optional() });

const iso = (ms: number) => new Date(ms).toISOString();

export function dutyRoutes(deps: DutyDeps): Router {
  const r = Router();
  const { redis, tree, timeZone } = deps;

  const person = async (username: string | null) => {
    if (!username) return null;
    const u = await getUser(redis, username);
    return u ? { username: u.username, displayName: u.displayName } : null;
  };

  r.get('/duty', requirePermission('read'), parse(dutyQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as z.infer<typeof dutyQuerySchema>;
    const scopes = resolveScope(tree, currentUser(res).scopes, q.scope);
    const { asOfSeq } = await logHead(redis);
    const now = Date.now();
    const shift = shiftAt(now, timeZone);
    const roster = await readRoster(redis);
    const chain = tree.chain(scopes[0]!);
    const [officer, leader, handovers] = await Promise.all([
      person(onDuty(roster, chain, 'duty_officer', shift.date)),
      person(onDuty(roster, chain, 'leader', shift.date)),
      latestHandovers(redis, scopes),
    ]);
    const body: Duty = {
      scope: scopes.join(','),
      shift: { name: shift.name, date: shift.date, from: iso(shift.from), to: iso(shift.to) },
      officer, leader, handovers, asOfSeq,
    };
    res.json(body);
  });

  r.post('/duty/handover', ...idempotentCommand(redis, 'duty.handover', 'duty.handover', 'handover', async (req, res, eventId) => {
    const b = check(handoverCreateSchema, req.body, '') as HandoverCreate;
    const user = currentUser(res);
    const scope = resolveScope(tree, user.scopes, b.scope)[0]!;
    const now = new Date();
    const data = { shift: b.shift, from: user.username, to: b.to, notes: b.notes, openItems: b.openItems, jurisdictionId: scope };
    const ev = commandEvent('duty.handover', eventId, user.username, data, now);
    const plan = planFact(ev, new Map(), { tree, receivedAt: now, lastFix: () => null }, 'strict');
    if (!plan.ok) throw refusalError(plan);
    const dedupe = { key: keys.dedupe(ev.source, ev.id), hash: payloadHash(ev.data), ttlSeconds: DEDUPE_TTL_SECONDS };
    const outcome = await commit(redis, [{ dedupe, ...plan.commit }], { minId: deps.minId(), replicaAck: deps.replicaAck });
    if (outcome.conflict) throw new ApiError(409, 'version_conflict', 'the handover could not be recorded; retry');
    const result = outcome.results[0]!;
    if (result.status === 'idc') throw idemConflict();
    const handover: Handover = { id: ev.id, seq: result.seq, ...handoverOf(ev.data as Record<string, unknown>, plan.commit.entry.time, plan.commit.entry.jurisdiction) };
    return { status: 201, body: { ...handover, seq: result.seq } };
  }));

  r.get('/duty/roster', requirePermission('read'), async (_req, res) => {
    res.json((await readRoster(redis)) ?? { scopes: {} });
  });

  r.put('/duty/roster', requirePermission('settings.manage'), async (req, res) => {
    const b = check(dutyRosterSchema, req.body, '') as DutyRoster;
    const errors: FieldError[] = [];
    for (const [id, entry] of Object.entries(b.scopes)) {
      if (!tree.get(id)) errors.push({ path: `scopes.${id}`, code: 'unknown_jurisdiction', message: `scopes.${id}: no jurisdiction has the id "${id}"` });
      for (const role of ['duty_officer', 'leader'] as const) {
        for (const [i, name] of entry[role].entries()) {
          if (!(await getUser(redis, name))) errors.push({ path: `scopes.${id}.${role}.${i}`, code: 'unknown_user', message: `scopes.${id}.${role}.${i}: no user "${name}"` });
        }
      }
    }
    fail(errors);
    await writeRoster(redis, b);
    await audit(req, res, { action: 'duty.roster', object: 'duty:roster', result: 'success', details: { scopes: Object.keys(b.scopes).length } });
    res.json(b);
  });

  return r;
}
