import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import { CASE_KINDS, OPEN_STAGES, type CaseKind, type Supervision } from '../../shared/governance.js';
import type { Entry } from '../../shared/objects.js';
import {
  answerSupervision, escalateCase, getCase, issueSupervision, listCases, toCase, transitionCase,
  type CaseCommandResult, type CaseDetail, type CaseObject,
} from '../api/governance.js';
import { HttpError, isTransient } from '../api/http.js';
import { eachLimited, minAsOf } from '../api/seq.js';
import { dropExpired, keepNewest } from './expiry.js';

/** Closed cases stay this long after they closed (DESIGN §9), then leave the store. */
export const KEEP_CLOSED_MS = 30 * 60_000;
const PAGE = 500;
const MAX_PAGES = 20;
/** The newest of the stages the board shows after the open ones (resolved disputes, answered petitions and orders). */
const RECENT_LIMIT = 200;
const FETCH_DELAY_MS = 150;
const RETRY_DELAY_MS = 2000;
const FETCH_CONCURRENCY = 6;

/** What the snapshot loads per kind: every open case, and the newest of the stages after them. */
const SNAPSHOT: Record<CaseKind, { open: readonly string[]; recent: readonly string[] }> = {
  dispute: { open: OPEN_STAGES.dispute, recent: ['resolved'] },
  petition: { open: OPEN_STAGES.petition, recent: ['answered'] },
  supervision: { open: OPEN_STAGES.supervision, recent: ['answered'] },
};

const isCaseKind = (k: string): k is CaseKind => (CASE_KINDS as readonly string[]).includes(k);
export const caseKey = (kind: CaseKind, id: string) => `${kind}:${id}`;
const splitKey = (key: string): [CaseKind, string] => {
  const i = key.indexOf(':');
  return [key.slice(0, i) as CaseKind, key.slice(i + 1)];
};

/** The group of a case in a stage after the open ones that is not closed (resolved disputes, answered petitions and orders), else null. */
function recentGroup(c: CaseObject): string | null {
  return SNAPSHOT[c.kind].recent.includes(c.stage) ? c.kind : null;
}

/** When a closed case leaves the store, or null while it is not closed. */
function leavesAt(c: CaseObject): number | null {
  return c.stage === 'closed' ? Date.parse(c.closedAt ?? c.updatedAt) + KEEP_CLOSED_MS : null;
}

/**
 * Live governance cases (DESIGN §3–5, §9): disputes, petitions and supervision orders. Snapshots
 * over the list endpoints, then log entries: an entry whose `affects` version for a case is newer
 * than the one held makes the store fetch that case by id (batched), so the client never
 * re-implements the case reducer. Also the console's selected case with its timeline, and the
 * commands, each with the held version as `expectedVersion`; a 409 re-reads the case.
 */
export const useCasesStore = defineStore('cases', () => {
  /** `kind:id` → case; mutated in place, `version` counts changes */
  const items = shallowRef(new Map<string, CaseObject>());
  const version = ref(0);
  /** kinds whose list endpoint answered (a server without governance routes leaves them out) */
  const loadedKinds = ref<CaseKind[]>([]);
  const selected = ref<{ kind: CaseKind; id: string } | null>(null);
  /** the last GET of the selected case, with its timeline */
  const detail = shallowRef<CaseDetail | null>(null);
  const wanted = new Map<string, number>();
  let detailDirty = false;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let fetching = false;

  async function listAll(kind: CaseKind, stages: readonly string[], maxPages: number, limit: number) {
    const all: CaseObject[] = [];
    const asOf: (string | null)[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const r = await listCases(kind, `stage=${stages.join(',')}`, limit, cursor);
      all.push(...r.items);
      asOf.push(r.asOfSeq);
      if (r.nextCursor === null) break;
      cursor = r.nextCursor;
    }
    return { items: all, asOfSeq: minAsOf(...asOf) };
  }

  /** One kind's snapshot; null when this server has no such endpoint (or refuses it for good). */
  async function loadKind(kind: CaseKind) {
    try {
      const [open, recent] = await Promise.all([
        listAll(kind, SNAPSHOT[kind].open, MAX_PAGES, PAGE),
        listAll(kind, SNAPSHOT[kind].recent, 1, RECENT_LIMIT),
      ]);
      return { kind, items: [...recent.items, ...open.items], asOfSeq: minAsOf(open.asOfSeq, recent.asOfSeq) };
    } catch (err) {
      if (isTransient(err)) throw err;
      return null;
    }
  }

  /**
   * Loads the snapshot. Answers the smallest `asOfSeq` of its pages, or `undefined` when no kind
   * could be listed (nothing to resume for: the live store leaves it out of its minimum).
   */
  async function load(): Promise<string | null | undefined> {
    const g = ++generation;
    const parts = await Promise.all(CASE_KINDS.map(loadKind));
    if (g !== generation) throw new Error('superseded');
    wanted.clear();
    const next = new Map<string, CaseObject>();
    const now = Date.now();
    const ok = parts.filter((p) => p !== null);
    for (const p of ok) {
      for (const c of p.items) {
        const k = caseKey(p.kind, c.id);
        const held = next.get(k);
        const leaves = leavesAt(c);
        if ((!held || held.version < c.version) && (leaves === null || leaves > now)) next.set(k, markRaw(c));
      }
    }
    items.value = next;
    loadedKinds.value = ok.map((p) => p.kind);
    version.value++;
    return ok.length ? minAsOf(...ok.map((p) => p.asOfSeq)) : undefined;
  }

  const isSelected = (kind: string, id: unknown) => selected.value !== null && selected.value.kind === kind && selected.value.id === id;

  /** Applies a log entry: notes every case it moved past the version we hold. */
  function applyEntry(e: Entry): void {
    for (const a of e.affects) {
      if (!isCaseKind(a.kind)) continue;
      const k = caseKey(a.kind, a.id);
      if (isSelected(a.kind, a.id)) detailDirty = true;
      const held = items.value.get(k);
      if (held && held.version >= a.version) continue;
      if ((wanted.get(k) ?? 0) < a.version) wanted.set(k, a.version);
    }
    // an order issued or answered on the selected case shows in its timeline
    const ref = e.data.caseRef;
    if (selected.value && typeof ref === 'string' && ref === selected.value.id) detailDirty = true;
    if (wanted.size || detailDirty) schedule(FETCH_DELAY_MS);
  }

  function schedule(ms: number): void {
    if (timer === null && !fetching) timer = setTimeout(() => void fetchWanted(), ms);
  }

  /** Stores a case when it is newer than ours; a closed one past its time is dropped. */
  function store(c: CaseObject, now = Date.now()): boolean {
    const k = caseKey(c.kind, c.id);
    const held = items.value.get(k);
    const leaves = leavesAt(c);
    if (leaves !== null && leaves <= now) return items.value.delete(k);
    if (held && held.version >= c.version) return false;
    items.value.set(k, markRaw(c));
    return true;
  }

  function putDetail(d: CaseDetail): void {
    if (isSelected(d.kind, d.id) && (!detail.value || detail.value.kind !== d.kind || detail.value.id !== d.id || detail.value.version <= d.version)) {
      detail.value = markRaw(d);
    }
  }

  async function fetchWanted(): Promise<void> {
    timer = null;
    fetching = true;
    const g = generation;
    const batch = [...wanted];
    wanted.clear();
    const sel = selected.value;
    if (detailDirty && sel && !batch.some(([k]) => k === caseKey(sel.kind, sel.id))) {
      batch.push([caseKey(sel.kind, sel.id), 0]);
    }
    detailDirty = false;
    const again: [string, number][] = [];
    let changed = false;
    await eachLimited(batch, FETCH_CONCURRENCY, async ([k, v]) => {
      const [kind, id] = splitKey(k);
      try {
        const d = await getCase(kind, id);
        if (g !== generation) return;
        putDetail(d);
        changed = store(toCase(d)) || changed;
      } catch (err) {
        if (g !== generation) return;
        // 404: the case left our scope (or never was in it)
        if (err instanceof HttpError && err.status === 404) changed = items.value.delete(k) || changed;
        else if (isTransient(err)) again.push([k, v]);
      }
    });
    fetching = false;
    if (g !== generation) return;
    if (changed) version.value++;
    for (const [k, v] of again) if ((wanted.get(k) ?? 0) < v) wanted.set(k, v);
    if (wanted.size || detailDirty) schedule(again.length ? RETRY_DELAY_MS : FETCH_DELAY_MS);
  }

  /** Stores a case from elsewhere (a command's answer) when it is newer than ours. */
  function put(c: CaseObject): void {
    if (store(c)) version.value++;
  }

  /** Opens a case in the console and reads its timeline. */
  function select(kind: CaseKind, id: string): void {
    if (isSelected(kind, id)) return;
    selected.value = { kind, id };
    detail.value = null;
    void refresh(kind, id);
  }

  function unselect(): void {
    selected.value = null;
    detail.value = null;
  }

  /** Reads a case again (after a command or a refusal); answers it, or null when it is gone. */
  async function refresh(kind: CaseKind, id: string): Promise<CaseObject | null> {
    const g = generation;
    try {
      const d = await getCase(kind, id);
      if (g !== generation) return null;
      putDetail(d);
      if (store(toCase(d))) version.value++;
      return toCase(d);
    } catch (err) {
      if (g === generation && err instanceof HttpError && err.status === 404 && items.value.delete(caseKey(kind, id))) version.value++;
      return null;
    }
  }

  /** Runs a command on a case: the answer replaces our copy; a 409 re-reads the case before the error goes on. */
  async function command(kind: CaseKind, id: string, run: () => Promise<CaseCommandResult>): Promise<CaseObject> {
    try {
      const r = await run();
      const c = toCase(r);
      put(c);
      if (isSelected(kind, id) || (c.kind === 'supervision' && isSelected(c.caseKind, c.caseRef))) void refresh(selected.value!.kind, selected.value!.id);
      return c;
    } catch (err) {
      if (err instanceof HttpError && (err.status === 409 || err.status === 404)) await refresh(kind, id);
      throw err;
    }
  }

  const transition = (c: CaseObject & { kind: 'dispute' | 'petition' }, to: string, extra: { note?: string; department?: string; risk?: 'low' | 'medium' | 'high'; outcome?: string } = {}) =>
    command(c.kind, c.id, () => transitionCase(c.kind, c.id, { to, expectedVersion: c.version, ...extra }));

  const escalate = (c: CaseObject & { kind: 'dispute' | 'petition' }, reason: string) =>
    command(c.kind, c.id, () => escalateCase(c.kind, c.id, { expectedVersion: c.version, reason }));

  const issue = (c: CaseObject & { kind: 'dispute' | 'petition' }, deadline: string, instruction: string) =>
    command(c.kind, c.id, () => issueSupervision({ caseRef: c.id, deadline, instruction }));

  const answer = (s: Supervision, text: string) =>
    command('supervision', s.id, () => answerSupervision(s.id, { expectedVersion: s.version, answer: text }));

  /** A case by kind and id. */
  function get(kind: CaseKind, id: string): CaseObject | undefined {
    void version.value;
    return items.value.get(caseKey(kind, id));
  }

  /** Supervision orders on a case, open ones first, newest first. */
  function supervisionsOf(caseRef: string): Supervision[] {
    void version.value;
    const out: Supervision[] = [];
    for (const c of items.value.values()) if (c.kind === 'supervision' && c.caseRef === caseRef) out.push(c);
    return out.sort((a, b) => Number(b.stage === 'issued') - Number(a.stage === 'issued') || Date.parse(b.openedAt) - Date.parse(a.openedAt));
  }

  /** Open supervision orders in scope, the nearest deadline first (the banner and the map's indicator). */
  const openSupervisions = computed<Supervision[]>(() => {
    void version.value;
    const out: Supervision[] = [];
    for (const c of items.value.values()) if (c.kind === 'supervision' && c.stage === 'issued') out.push(c);
    const due = (s: Supervision) => (s.deadline ? Date.parse(s.deadline) : Infinity);
    return out.sort((a, b) => due(a) - due(b) || a.id.localeCompare(b.id));
  });

  /** Drops cases closed more than 30 minutes ago. */
  /** Drops closed cases after 30 minutes, and all but the newest RECENT_LIMIT resolved/answered ones per kind (the selected case stays). */
  function sweep(now = Date.now()): void {
    const closed = dropExpired(items.value, leavesAt, now);
    const sel = selected.value;
    const recent = keepNewest(items.value, recentGroup, (c) => Date.parse(c.stageSince), RECENT_LIMIT, (k) => sel !== null && k === caseKey(sel.kind, sel.id));
    if (closed || recent) version.value++;
  }
  setInterval(sweep, 60_000);

  function reset(): void {
    generation++;
    wanted.clear();
    detailDirty = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    fetching = false;
    items.value = new Map();
    loadedKinds.value = [];
    detail.value = null;
    version.value++;
  }

  return {
    items, version, loadedKinds, selected, detail, openSupervisions,
    load, applyEntry, put, sweep, reset, select, unselect, refresh, transition, escalate, issue, answer, get, supervisionsOf,
  };
});
