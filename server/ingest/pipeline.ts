import type { ValidEvent } from '../../shared/events.js';
import type { IngestResponse } from '../../shared/api.js';
import type { Fix, Incident, Unit } from '../../shared/objects.js';
import type { FieldError } from '../../shared/validation.js';
import type { JurisdictionTree } from '../geo/types.js';
import { commit, type CommitEntry } from '../store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { toFix, type PositionStore } from '../telemetry/positions.js';
import { payloadHash } from './payload-hash.js';
import { attachedUnitKeys, keysFor, planFact, type StateView } from './plan.js';
import { validateEvent } from './validate.js';

/** Who may send what: ingest keys are scoped to event types and sources. */
export interface Grant {
  allows(type: string, source: string): boolean;
}

export interface IngestDeps {
  redis: ScriptedRedis;
  positions: PositionStore;
  tree: JurisdictionTree;
  /** MINID for trimming the log, or null */
  minId(): string | null;
  replicaAck: boolean;
}

interface Fact {
  index: number;
  event: ValidEvent;
  dedupeKey: string;
  hash: string;
}

type Result =
  | { kind: 'accepted'; id: string; seq: string | null }
  | { kind: 'duplicate'; id: string; seq: string }
  | { kind: 'rejected'; id: string | null; errors: FieldError[] };

const MAX_ATTEMPTS = 20;

/** Validates, reduces and commits a batch in array order; positions go to telemetry. */
export async function ingestBatch(deps: IngestDeps, raw: readonly unknown[], grant: Grant, now = new Date()): Promise<IngestResponse> {
  const results = new Map<number, Result>();
  const warnings: IngestResponse['warnings'] = [];
  const facts: Fact[] = [];
  const fixes: { index: number; id: string; fix: ReturnType<typeof toFix> }[] = [];
  raw.forEach((r, index) => {
    const v = validateEvent(r, now.getTime());
    if (!v.ok) return results.set(index, { kind: 'rejected', id: v.id, errors: v.errors });
    const ev = v.event;
    if (!grant.allows(ev.type, ev.source)) {
      return results.set(index, { kind: 'rejected', id: ev.id, errors: [{ path: 'type', code: 'forbidden', message: `this key may not send ${ev.type} from ${ev.source}` }] });
    }
    if (ev.type === 'unit.position') {
      const at = ev.time ? Math.min(Date.parse(ev.time), now.getTime()) : now.getTime();
      fixes.push({ index, id: ev.id, fix: toFix(ev.data as Parameters<typeof toFix>[0], at) });
    } else {
      facts.push({ index, event: ev, dedupeKey: keys.dedupe(ev.source, ev.id), hash: payloadHash(r) });
    }
  });

  const early = await registeredLater(deps, facts, fixes);
  await commitFacts(deps, facts, now, results, warnings);

  if (fixes.length) {
    const answers = await deps.positions.accept(fixes.map((f) => f.fix), now.getTime());
    fixes.forEach((f, i) => { if (early.has(f.index)) answers[i] = 'unknown_unit'; });
    fixes.forEach((f, i) => results.set(f.index, answers[i] === 'ok'
      ? { kind: 'accepted', id: f.id, seq: null }
      : { kind: 'rejected', id: f.id, errors: [{ path: 'data.unitId', code: 'unknown_unit', message: `unit ${f.fix.unitId} is not registered` }] }));
  }
  return toResponse(results, warnings);
}

async function commitFacts(deps: IngestDeps, facts: Fact[], now: Date, results: Map<number, Result>, warnings: IngestResponse['warnings']): Promise<void> {
  let pending = facts;
  for (let attempt = 0; pending.length && attempt < MAX_ATTEMPTS; attempt++) {
    const { state, dedupe, fixes } = await readState(deps, pending);
    const local: StateView = new Map(state);
    const commits: CommitEntry[] = [];
    const committed: Fact[] = [];
    /** decisions made without a commit, final only if no conflict happens before them */
    const seen = new Set<string>();
    const decided = new Map<number, { result: Result; warnings: IngestResponse['warnings'] }>();
    for (const f of pending) {
      const prior = dedupe.get(f.dedupeKey);
      if (prior) {
        decided.set(f.index, { result: priorResult(f, prior), warnings: [] });
        continue;
      }
      if (seen.has(f.dedupeKey)) {
        // a resend inside the batch: the script answers dup or id_conflict from the first one's record
        commits.push({ dedupe: { key: f.dedupeKey, hash: f.hash, ttlSeconds: DEDUPE_TTL_SECONDS }, checks: [{ key: f.dedupeKey + ':never', expected: -1 }], entry: placeholder(f, now), ops: [] });
        committed.push(f);
        decided.set(f.index, { result: { kind: 'accepted', id: f.event.id, seq: null }, warnings: [] });
        continue;
      }
      const plan = planFact(f.event, local, { tree: deps.tree, receivedAt: now, lastFix: (u) => fixes.get(u) ?? null });
      if (!plan.ok) {
        decided.set(f.index, { result: { kind: 'rejected', id: f.event.id, errors: [{ path: plan.path, code: plan.code, message: plan.message, ...(plan.details ? { details: plan.details } : {}) }] }, warnings: [] });
        continue;
      }
      for (const [k, v] of plan.writes) local.set(k, v);
      commits.push({ dedupe: { key: f.dedupeKey, hash: f.hash, ttlSeconds: DEDUPE_TTL_SECONDS }, ...plan.commit });
      seen.add(f.dedupeKey);
      committed.push(f);
      decided.set(f.index, { result: { kind: 'accepted', id: f.event.id, seq: null }, warnings: plan.warnings.map((w) => ({ index: f.index, id: f.event.id, ...w })) });
    }
    const outcome = await commit(deps.redis, commits, { minId: deps.minId(), replicaAck: deps.replicaAck });
    const stopAt = outcome.conflict ? committed[outcome.results.length]!.index : Infinity;
    outcome.results.forEach((r, i) => {
      const f = committed[i]!;
      const d = decided.get(f.index)!;
      if (r.status === 'ok') d.result = { kind: 'accepted', id: f.event.id, seq: r.seq };
      else {
        d.result = r.status === 'dup' ? { kind: 'duplicate', id: f.event.id, seq: r.seq } : idConflict(f, r.seq);
        d.warnings = [];
      }
    });
    for (const f of pending) {
      if (f.index >= stopAt) break;
      const d = decided.get(f.index)!;
      results.set(f.index, d.result);
      warnings.push(...d.warnings);
    }
    if (outcome.results.some((r) => r.status === 'ok')) {
      deps.positions.remember(outcome.results.flatMap((r, i) => r.status === 'ok' && committed[i]!.event.type === 'unit.registered'
        ? [(committed[i]!.event.data as { unitId: string }).unitId] : []));
    }
    pending = pending.filter((f) => f.index >= stopAt);
  }
  for (const f of pending) {
    results.set(f.index, { kind: 'rejected', id: f.event.id, errors: [{ path: '(root)', code: 'contention', message: 'too many concurrent changes to the same objects; retry' }] });
  }
}

/** Never appended: the check cannot pass, and the dedupe record answers first. */
function placeholder(f: Fact, now: Date): CommitEntry['entry'] {
  const t = now.toISOString();
  return { id: f.event.id, source: f.event.source, type: f.event.type, time: t, receivedAt: t, jurisdiction: [], affects: [], data: {} };
}

/** Fixes of units that this batch registers only after them (array order), and that did not exist before. */
async function registeredLater(deps: IngestDeps, facts: Fact[], fixes: { index: number; fix: { unitId: string } }[]): Promise<Set<number>> {
  const firstReg = new Map<string, number>();
  for (const f of facts) {
    if (f.event.type !== 'unit.registered') continue;
    const u = (f.event.data as { unitId: string }).unitId;
    if (!firstReg.has(u)) firstReg.set(u, f.index);
  }
  const suspects = fixes.filter((f) => (firstReg.get(f.fix.unitId) ?? -1) > f.index);
  if (suspects.length === 0) return new Set();
  const units = [...new Set(suspects.map((f) => f.fix.unitId))];
  const exists = await Promise.all(units.map((u) => deps.redis.exists(keys.object('unit', u))));
  const missing = new Set(units.filter((_, i) => exists[i] === 0));
  return new Set(suspects.filter((f) => missing.has(f.fix.unitId)).map((f) => f.index));
}

function priorResult(f: Fact, prior: string): Result {
  const sp = prior.indexOf(' ');
  const seq = prior.slice(0, sp);
  return prior.slice(sp + 1) === f.hash ? { kind: 'duplicate', id: f.event.id, seq } : idConflict(f, seq);
}

function idConflict(f: Fact, seq: string): Result {
  return { kind: 'rejected', id: f.event.id, errors: [{ path: 'id', code: 'id_conflict', message: `(source, id) was already used for a different event (seq ${seq})` }] };
}

/** Reads dedupe records, the objects the facts touch, and latest fixes for status changes. */
async function readState(deps: IngestDeps, facts: Fact[]) {
  const dkeys = facts.map((f) => f.dedupeKey);
  const objectKeys = new Set(facts.flatMap((f) => keysFor(f.event)));
  // dedupe records and objects in one round trip
  const [dvals, state] = await Promise.all([
    dkeys.length ? deps.redis.mget(...dkeys) : Promise.resolve([] as (string | null)[]),
    readObjects<Incident | Unit>(deps.redis, [...objectKeys]) as Promise<StateView>,
  ]);
  const dedupe = new Map<string, string>();
  dkeys.forEach((k, i) => { if (dvals[i]) dedupe.set(k, dvals[i]!); });
  const more = new Set(facts.flatMap((f) => attachedUnitKeys(f.event, state)).filter((k) => !state.has(k)));
  for (const [k, v] of await readObjects<Unit>(deps.redis, [...more])) state.set(k, v);
  const statusUnits = facts.filter((f) => f.event.type === 'unit.status').map((f) => (f.event.data as { unitId: string }).unitId);
  const fixes: Map<string, Fix | null> = await deps.positions.latest(statusUnits);
  return { state, dedupe, fixes };
}

function toResponse(results: Map<number, Result>, warnings: IngestResponse['warnings']): IngestResponse {
  const out: IngestResponse = { accepted: [], duplicates: [], rejected: [], warnings };
  for (const index of [...results.keys()].sort((a, b) => a - b)) {
    const r = results.get(index)!;
    if (r.kind === 'accepted') out.accepted.push({ id: r.id, seq: r.seq });
    else if (r.kind === 'duplicate') out.duplicates.push({ id: r.id, seq: r.seq });
    else out.rejected.push({ index, id: r.id, errors: r.errors });
  }
  out.warnings.sort((a, b) => a.index - b.index);
  return out;
}
