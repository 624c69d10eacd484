import { ENDED_INCIDENT_STATUSES, OPEN_INCIDENT_STATUSES } from '../../shared/constants.js';
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { Entry, Incident } from '../../shared/objects.js';
import { api, HttpError, isTransient } from '../api/http.js';
import { eachLimited, minAsOf } from '../api/seq.js';
import { dropExpired } from './expiry.js';
import type { IncidentDetail, IncidentList } from '../api/types.js';

const OPEN = OPEN_INCIDENT_STATUSES;
const ENDED = ENDED_INCIDENT_STATUSES;
/** Ended incidents stay visible this long after they ended (DESIGN §9). */
export const KEEP_ENDED_MS = 30 * 60_000;
const PAGE = 500;
const MAX_PAGES = 40;
/** Entries arrive in bursts (a dispatch touches an incident and its units): gather them briefly. */
const FETCH_DELAY_MS = 150;
const RETRY_DELAY_MS = 2000;
const FETCH_CONCURRENCY = 6;

export const isOpen = (i: Incident) => OPEN.includes(i.status);

/** When an ended incident leaves the store, or null while it is open. */
function leavesAt(i: Incident): number | null {
  return isOpen(i) ? null : Date.parse(i.closedAt ?? i.statusSince) + KEEP_ENDED_MS;
}

function toIncident(d: IncidentDetail): Incident {
  const { timeline: _timeline, asOfSeq: _asOfSeq, ...incident } = d;
  return incident;
}

/**
 * Live incidents: a snapshot over REST, then log entries. An entry whose `affects` version for
 * an incident is newer than the one held makes the store re-fetch that incident (batched), so
 * the client never re-implements the server's reducer and always holds a whole, versioned object.
 */
export const useIncidentsStore = defineStore('incidents', () => {
  /** mutated in place; `version` counts changes (components watch it, not the map) */
  const items = shallowRef(new Map<string, Incident>());
  const version = ref(0);
  /** incident id → the version an entry announced and we have not fetched yet */
  const wanted = new Map<string, number>();
  /** true while a situation replay drives the store (live.enterReplay) */
  let replaying = false;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let fetching = false;

  async function listAll(query: string): Promise<{ items: Incident[]; asOfSeq: string | null }> {
    const all: Incident[] = [];
    const asOf: (string | null)[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const c: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const r: IncidentList = await api<IncidentList>(`/incidents?${query}&limit=${PAGE}${c}`);
      all.push(...r.items);
      asOf.push(r.asOfSeq);
      if (r.nextCursor === null) break;
      cursor = r.nextCursor;
    }
    return { items: all, asOfSeq: minAsOf(...asOf) };
  }

  /**
   * Loads the snapshot: open incidents and those ended in the last 30 minutes. Answers the
   * smallest `asOfSeq` of its pages: an incident that changes while we page may be missed by the
   * cursor, but its entry comes after that seq, so the live stream brings it.
   */
  async function load(): Promise<string | null> {
    const g = ++generation;
    const since = new Date(Date.now() - KEEP_ENDED_MS).toISOString();
    const [open, ended] = await Promise.all([
      listAll(`status=${OPEN.join(',')}`),
      listAll(`status=${ENDED.join(',')}&since=${encodeURIComponent(since)}`),
    ]);
    if (g !== generation) throw new Error('superseded');
    replaying = false;
    wanted.clear();
    const next = new Map<string, Incident>();
    for (const i of [...ended.items, ...open.items]) {
      const held = next.get(i.id);
      if (!held || held.version < i.version) next.set(i.id, markRaw(i));
    }
    items.value = next;
    version.value++;
    return minAsOf(open.asOfSeq, ended.asOfSeq);
  }

  /** Applies a log entry: notes every incident it moved past the version we hold. */
  function applyEntry(e: Entry): void {
    for (const a of e.affects) {
      if (a.kind !== 'incident') continue;
      const held = items.value.get(a.id);
      if (held && held.version >= a.version) continue;
      if ((wanted.get(a.id) ?? 0) < a.version) wanted.set(a.id, a.version);
    }
    if (wanted.size) schedule(FETCH_DELAY_MS);
  }

  function schedule(ms: number): void {
    if (timer === null && !fetching) timer = setTimeout(() => void fetchWanted(), ms);
  }

  /** Stores a fetched incident when it is newer than ours; an ended one past its time is dropped. */
  function put(i: Incident, now: number): boolean {
    const held = items.value.get(i.id);
    const leaves = leavesAt(i);
    if (leaves !== null && leaves <= now) return items.value.delete(i.id);
    if (held && held.version >= i.version) return false;
    items.value.set(i.id, markRaw(i));
    return true;
  }

  async function fetchWanted(): Promise<void> {
    timer = null;
    fetching = true;
    const g = generation;
    const batch = [...wanted];
    wanted.clear();
    const again: [string, number][] = [];
    let changed = false;
    await eachLimited(batch, FETCH_CONCURRENCY, async ([id, v]) => {
      try {
        const d = await api<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`);
        if (g !== generation) return;
        changed = put(toIncident(d), Date.now()) || changed;
      } catch (err) {
        if (g !== generation) return;
        // 404: the incident left our scope (or never was in it)
        if (err instanceof HttpError && err.status === 404) changed = items.value.delete(id) || changed;
        else if (isTransient(err)) again.push([id, v]);
      }
    });
    fetching = false;
    if (g !== generation) return;
    if (changed) version.value++;
    for (const [id, v] of again) if ((wanted.get(id) ?? 0) < v) wanted.set(id, v);
    if (wanted.size) schedule(again.length ? RETRY_DELAY_MS : FETCH_DELAY_MS);
  }

  /** Drops incidents that ended more than 30 minutes ago (not while a replay shows the past). */
  function sweep(now = Date.now()): void {
    if (replaying) return;
    if (dropExpired(items.value, leavesAt, now)) version.value++;
  }
  setInterval(sweep, 60_000);

  /**
   * Shows the incidents of a replay instant (issue 9): whole objects folded by the server's own
   * reducer from the log; nothing is fetched and nothing expires until the live snapshot returns.
   */
  function showReplay(next: ReadonlyMap<string, Incident>): void {
    if (!replaying) reset();
    replaying = true;
    const m = new Map<string, Incident>();
    for (const [id, i] of next) m.set(id, markRaw(i));
    items.value = m;
    version.value++;
  }

  function reset(): void {
    replaying = false;
    generation++;
    wanted.clear();
    if (timer !== null) clearTimeout(timer);
    timer = null;
    items.value = new Map();
    version.value++;
  }

  return { items, version, load, applyEntry, sweep, reset, showReplay };
});
