import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { Alert, Entry } from '../../shared/objects.js';
import { acknowledgeAlert, listAlerts } from '../api/commands.js';
import { isTransient } from '../api/http.js';
import { minAsOf } from '../api/seq.js';

/**
 * An alert as the client holds it. `subject` (what the alert is about: `incident:<id>`,
 * `unit:<id>`) and `escalatedTo` are optional fields of newer servers.
 */
export type AlertItem = Alert & { subject?: string; escalatedTo?: string[] };

/** Cleared alerts kept for the list (DESIGN §9: the ticker keeps 200 items); open ones always stay. */
export const KEEP_CLEARED = 200;
const OPEN_LIMIT = 500;
/** Entries come in bursts (a raise and its escalation): gather them briefly, and re-load at most this often. */
const FETCH_DELAY_MS = 150;
const REFRESH_MIN_GAP_MS = 1000;
const RETRY_DELAY_MS = 2000;

/** The incident or unit an alert is about: `subject`, else the ids in its evidence. */
export function alertSubject(a: AlertItem): { kind: 'incident' | 'unit'; id: string } | null {
  if (a.subject) {
    const i = a.subject.indexOf(':');
    const kind = a.subject.slice(0, i);
    if (i > 0 && (kind === 'incident' || kind === 'unit')) return { kind, id: a.subject.slice(i + 1) };
  }
  const ev = evidenceOf(a);
  if (typeof ev.incidentId === 'string') return { kind: 'incident', id: ev.incidentId };
  if (typeof ev.unitId === 'string') return { kind: 'unit', id: ev.unitId };
  return null;
}

/** The evidence as a record (it is `unknown` in the schema). */
export function evidenceOf(a: Alert): Record<string, unknown> {
  const ev = a.evidence;
  return typeof ev === 'object' && ev !== null && !Array.isArray(ev) ? (ev as Record<string, unknown>) : {};
}

/**
 * Live alerts: GET /alerts (open and acknowledged, plus the latest cleared), then log entries.
 * There is no GET /alerts/:id, so an entry that moves an alert past the version we hold re-loads
 * the lists (batched and throttled); the client never re-implements the alert reducer.
 */
export const useAlertsStore = defineStore('alerts', () => {
  const items = shallowRef(new Map<string, AlertItem>());
  const version = ref(0);
  let generation = 0;
  let dirty = false;
  let refreshing = false;
  let lastRefreshAt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  /** Keeps every alert not cleared and the newest KEEP_CLEARED cleared ones. */
  function prune(map: Map<string, AlertItem>): void {
    const cleared = [...map.values()].filter((a) => a.state === 'cleared');
    if (cleared.length <= KEEP_CLEARED) return;
    cleared.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
    for (const a of cleared.slice(KEEP_CLEARED)) map.delete(a.id);
  }

  /** Merges fetched alerts, newer versions winning; `complete`: the fetch saw every alert not cleared. */
  function merge(list: readonly AlertItem[], complete: boolean): boolean {
    const next = new Map(items.value);
    let changed = false;
    const seen = new Set<string>();
    for (const a of list) {
      seen.add(a.id);
      const held = next.get(a.id);
      if (held && held.version >= a.version) continue;
      next.set(a.id, markRaw(a));
      changed = true;
    }
    // an alert not cleared that the full list no longer has left our scope
    if (complete) {
      for (const [id, a] of next) {
        if (a.state !== 'cleared' && !seen.has(id)) {
          next.delete(id);
          changed = true;
        }
      }
    }
    prune(next);
    if (changed) {
      items.value = next;
      version.value++;
    }
    return changed;
  }

  async function fetchAll(): Promise<{ list: AlertItem[]; asOfSeq: string | null }> {
    const [open, cleared] = await Promise.all([listAlerts('open,acknowledged', OPEN_LIMIT), listAlerts('cleared', 100)]);
    return { list: [...cleared.items, ...open.items], asOfSeq: minAsOf(open.asOfSeq, cleared.asOfSeq) };
  }

  /** Loads the snapshot; answers its `asOfSeq`. */
  async function load(): Promise<string | null> {
    const g = ++generation;
    const r = await fetchAll();
    if (g !== generation) throw new Error('superseded');
    lastRefreshAt = Date.now();
    dirty = false;
    items.value = new Map();
    merge(r.list, true);
    version.value++;
    return r.asOfSeq;
  }

  /** Applies a log entry: an alert moved past the version we hold makes the lists re-load. */
  function applyEntry(e: Entry): void {
    for (const a of e.affects) {
      if (a.kind !== 'alert') continue;
      const held = items.value.get(a.id);
      if (!held || held.version < a.version) dirty = true;
    }
    if (dirty) schedule(FETCH_DELAY_MS);
  }

  function schedule(delay: number): void {
    if (timer !== null || refreshing) return;
    const wait = Math.max(delay, lastRefreshAt + REFRESH_MIN_GAP_MS - Date.now());
    timer = setTimeout(() => void refresh(), wait);
  }

  async function refresh(): Promise<void> {
    timer = null;
    refreshing = true;
    dirty = false;
    lastRefreshAt = Date.now();
    const g = generation;
    let retry = false;
    try {
      const r = await fetchAll();
      if (g === generation) merge(r.list, true);
    } catch (err) {
      retry = isTransient(err);
    } finally {
      refreshing = false;
    }
    if (g !== generation) return;
    if (retry) dirty = true;
    if (dirty) schedule(retry ? RETRY_DELAY_MS : FETCH_DELAY_MS);
  }

  /** Acknowledges an open alert at the version we hold; the answer replaces our copy. */
  async function acknowledge(a: AlertItem, note?: string): Promise<AlertItem> {
    const r = await acknowledgeAlert(a.id, { expectedVersion: a.version, ...(note ? { note } : {}) });
    const { seq: _seq, ...alert } = r;
    merge([alert], false);
    return alert;
  }

  function reset(): void {
    generation++;
    dirty = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    items.value = new Map();
    version.value++;
  }

  return { items, version, load, applyEntry, acknowledge, reset };
});
