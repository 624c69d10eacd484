// Shared by the governance routes (governance-routes.ts, supervision-routes.ts): the strict
// command path of a case (DESIGN §3, §4) — Idempotency-Key, planFact in strict mode, one commit
// with the version checks, audit — and how a case looks to a viewer (petitioner masked for roles
// without `reporter.read`, petitions with their repeat count). Mirrors command-routes.ts.
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { PublicUser } from '../../shared/api.js';
import type { ValidEvent } from '../../shared/events.js';
import type { CaseKind, GovCase, Petition } from '../../shared/governance.js';
import { can, type Permission } from '../../shared/permissions.js';
import { audit } from '../auth/audit-context.js';
import { currentUser } from '../auth/middleware.js';
import { entryForViewer, inScope, maskKey } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { payloadHash } from '../ingest/payload-hash.js';
import { keysFor, planFact, type StateView } from '../ingest/plan.js';
import { repeatCounts } from '../store/case-queries.js';
import { commit } from '../store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../store/keys.js';
import { readObject, readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { refusalError } from './command-kit.js';
import { idemConflict, idempotentCommand, type Answer } from './idempotent-command.js';
import { ApiError, notFound } from './errors.js';

export interface CaseDeps {
  redis: ScriptedRedis;
  tree: JurisdictionTree;
  /** MINID for trimming the log, or null */
  minId(): string | null;
  replicaAck: boolean;
}

export type { Answer } from './idempotent-command.js';

/** One case command route (server/http/idempotent-command.ts) on `<kind>:<id>`. */
export function caseCommand(
  redis: Redis, permission: Permission, action: string, kind: CaseKind,
  run: (req: Request, res: Response, eventId: string) => Promise<Answer>,
) {
  return idempotentCommand(redis, permission, action, kind, run);
}

/** Reads every object a fact depends on (the case, a supervised case). */
export async function readState(redis: Redis, ev: ValidEvent): Promise<StateView> {
  return (await readObjects<GovCase>(redis, keysFor(ev))) as unknown as StateView;
}

/** 409 version_conflict with the case's current version (and which other object moved, if another did). */
export function caseVersionConflict(kind: CaseKind, current: number, other?: { kind: string; id: string; version: number }): ApiError {
  const msg = other
    ? `${other.kind} ${other.id} changed meanwhile (now version ${other.version}); reload and retry`
    : `the ${kind} is at version ${current}; reload and retry`;
  return new ApiError(409, 'version_conflict', msg, { current, ...(other ? { conflict: other } : {}) });
}

/** A conflict the commit reported: on the case itself, or on another object it read. */
export class CommitConflict extends Error {
  constructor(readonly key: string, readonly current: number) {
    super(`conflict on ${key}`);
  }
}

/**
 * Reduces strictly, commits with the version checks of everything read, and answers the case
 * as the viewer sees it with the seq of its entry. A conflict throws CommitConflict.
 */
export async function applyCase(deps: CaseDeps, res: Response, ev: ValidEvent, state: StateView, kind: CaseKind, id: string): Promise<Record<string, unknown>> {
  const now = new Date();
  const plan = planFact(ev, state, { tree: deps.tree, receivedAt: now, lastFix: () => null }, 'strict');
  if (!plan.ok) throw refusalError(plan);
  const key = keys.object(kind, id);
  const next = plan.writes.find(([k]) => k === key)?.[1] as unknown as GovCase | undefined;
  if (!next) throw new ApiError(409, 'invalid_transition', `the command changes nothing on ${kind} ${id}`);
  const dedupe = { key: keys.dedupe(ev.source, ev.id), hash: payloadHash(ev.data), ttlSeconds: DEDUPE_TTL_SECONDS };
  const outcome = await commit(deps.redis, [{ dedupe, ...plan.commit }], { minId: deps.minId(), replicaAck: deps.replicaAck });
  if (outcome.conflict) throw new CommitConflict(outcome.conflict.key, outcome.conflict.current);
  const result = outcome.results[0]!;
  if (result.status === 'idc') throw idemConflict();
  let out: GovCase = { ...next, updatedSeq: result.seq };
  // the same Idempotency-Key raced this request and won: answer the object as it is now
  if (result.status === 'dup') out = (await readObject<GovCase>(deps.redis, key)) ?? out;
  const [view] = await viewCases(deps.redis, currentUser(res), [out], now.getTime());
  const body: Record<string, unknown> = { ...view, seq: result.seq };
  if (plan.warnings.length) body.warnings = plan.warnings;
  return body;
}

/** A commit conflict on the case itself as 409 version_conflict, with the version it has now. */
export async function conflictError(redis: Redis, kind: CaseKind, id: string, c: CommitConflict): Promise<ApiError> {
  const key = keys.object(kind, id);
  const fresh = await readObject<GovCase>(redis, key);
  const [, k = 'object', ...rest] = c.key.split(':');
  return caseVersionConflict(kind, fresh?.version ?? 0, c.key === key ? undefined : { kind: k, id: rest.join(':'), version: c.current });
}

// --- what a viewer sees ---

/** A petitioner key as roles without `reporter.read` see it: its first character only. */
/** The case as this user may see it: the petitioner masked for roles without `reporter.read`. */
export function caseForViewer<T extends GovCase>(user: Pick<PublicUser, 'roles'>, c: T): T {
  if (c.kind !== 'petition' || !c.petitioner || can(user.roles, 'reporter.read')) return c;
  return { ...c, petitioner: maskKey(c.petitioner) };
}

/** A timeline entry as this user may see it (reporter data and petitioner keys masked without `reporter.read`). */
export const caseEntryForViewer = entryForViewer;

/** Cases as the viewer sees them; petitions with `repeatCount`. */
export async function viewCases(redis: Redis, user: Pick<PublicUser, 'roles'>, cases: readonly GovCase[], now: number): Promise<GovCase[]> {
  const petitions = cases.filter((c): c is Petition => c.kind === 'petition');
  const repeats = petitions.length ? await repeatCounts(redis, petitions, now) : new Map<string, number>();
  return cases.map((c) => caseForViewer(user, c.kind === 'petition' ? { ...c, repeatCount: repeats.get(c.id) ?? 0 } : c));
}

/** Records one `reporter.read` when the answer shows petitioner keys unmasked (the viewer holds `reporter.read`). */
export async function auditPetitionerRead(req: Request, res: Response, cases: readonly GovCase[]): Promise<void> {
  const user = currentUser(res);
  if (!can(user.roles, 'reporter.read')) return;
  const ids = cases.filter((c) => c.kind === 'petition' && c.petitioner).map((c) => c.id);
  if (ids.length === 0) return;
  await audit(req, res, {
    action: 'reporter.read', object: ids.map((id) => `petition:${id}`).join(','), result: 'success',
    details: { count: ids.length, path: req.originalUrl.slice(0, 512) },
  });
}

/**
 * A command on an existing case: 404 unless it exists in the caller's scope, 409
 * version_conflict unless `expectedVersion` is its version, then `precheck` (state), then the
 * strict reducer and the commit; 200 with the updated case and `seq`.
 */
export async function commandOn(
  deps: CaseDeps, res: Response, kind: CaseKind, id: string, ev: ValidEvent, expectedVersion: number,
  precheck?: (c: GovCase) => void,
): Promise<Answer> {
  const state = await readState(deps.redis, ev);
  const c = state.get(keys.object(kind, id)) as unknown as GovCase | null | undefined;
  if (!c || !inScope(currentUser(res), c.jurisdiction)) throw notFound(`${kind} ${id}`);
  if (c.version !== expectedVersion) throw caseVersionConflict(kind, c.version);
  precheck?.(c);
  try {
    return { status: 200, body: await applyCase(deps, res, ev, state, kind, id) };
  } catch (err) {
    if (err instanceof CommitConflict) throw await conflictError(deps.redis, kind, id, err);
    throw err;
  }
}
