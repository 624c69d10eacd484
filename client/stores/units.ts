import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { UnitView } from '../../shared/api.js';
import type { LivePosition } from '../../shared/live.js';
import type { Entry, Fix, Unit } from '../../shared/objects.js';
import { api, isTransient } from '../api/http.js';
import type { UnitList } from '../api/types.js';
import { TrailBuffer } from './trails.js';

/** Versioned unit changes (status, roster) re-load the unit list at most this often. */
const REFRESH_MIN_GAP_MS = 2000;
/** A unit whose last fix is older than this is drawn grey (DESIGN §8: stale units). */
export const STALE_FIX_MS = 2 * 60_000;

const newer = (a: Fix | null, b: Fix | null): Fix | null => (!a ? b : !b ? a : Date.parse(b.at) > Date.parse(a.at) ? b : a);

function toUnit(v: UnitView): Unit {
  const { fixAgeSeconds: _age, ...unit } = v;
  return unit;
}

/**
 * Live units: a snapshot (GET /units), positions frames for the moving part, log entries for
 * the versioned part. There is no GET /units/:id, so an entry that moves a unit past the version
 * we hold re-loads the list (throttled); the fresher fix of the two copies always wins.
 */
export const useUnitsStore = defineStore('units', () => {
  const items = shallowRef(new Map<string, Unit>());
  const version = ref(0);
  let generation = 0;
  let dirty = false;
  let refreshing = false;
  let lastRefreshAt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** units seen in positions but not in our list: each triggers one refresh, not one per frame */
  const unknownSeen = new Set<string>();
  /**
   * Recent trails (the last 10 minutes, a point per 10 s at most) built from the fixes received:
   * typed-array rings outside Vue's reactivity; they change only with `version`.
   */
  const trails = markRaw(new TrailBuffer());

  const recordFix = (id: string, f: Fix | null) => {
    if (f) trails.record(id, f.lat, f.lon, Date.parse(f.at));
  };

  function merge(list: readonly UnitView[]): void {
    const next = new Map<string, Unit>();
    for (const v of list) {
      const fetched = toUnit(v);
      const held = items.value.get(v.id);
      const base = held && held.version > fetched.version ? held : fetched;
      const lastFix = newer(held?.lastFix ?? null, fetched.lastFix);
      next.set(v.id, markRaw({ ...base, lastFix }));
      recordFix(v.id, lastFix);
    }
    // units that left the list leave no trail behind
    trails.retain((id) => next.has(id));
    items.value = next;
    version.value++;
  }

  /** Loads the snapshot; answers its `asOfSeq` and the log's epoch. */
  async function load(): Promise<{ asOfSeq: string | null; logEpoch: string }> {
    const g = ++generation;
    const r = await api<UnitList>('/units');
    if (g !== generation) throw new Error('superseded');
    lastRefreshAt = Date.now();
    dirty = false;
    merge(r.items);
    return { asOfSeq: r.asOfSeq, logEpoch: r.logEpoch };
  }

  /** Applies a log entry: a unit moved past the version we hold makes the list re-load. */
  function applyEntry(e: Entry): void {
    for (const a of e.affects) {
      if (a.kind !== 'unit') continue;
      const held = items.value.get(a.id);
      if (!held || held.version < a.version) dirty = true;
    }
    if (dirty) schedule();
  }

  /** Applies fixes newer than the one held: position, heading, speed, status. */
  function applyPositions(list: readonly LivePosition[]): void {
    let changed = false;
    for (const p of list) {
      const held = items.value.get(p.unitId);
      if (!held) {
        if (!unknownSeen.has(p.unitId)) {
          unknownSeen.add(p.unitId);
          dirty = true;
        }
        continue;
      }
      const at = Date.parse(p.at);
      if (held.lastFix && Date.parse(held.lastFix.at) >= at) continue;
      const lastFix: Fix = { lat: p.lat, lon: p.lon, speed: p.speed, heading: p.heading, at: p.at };
      items.value.set(p.unitId, markRaw({ ...held, lastFix, status: p.status ?? held.status }));
      trails.record(p.unitId, p.lat, p.lon, at);
      changed = true;
    }
    if (changed) version.value++;
    if (dirty) schedule();
  }

  function schedule(): void {
    if (timer !== null || refreshing) return;
    const wait = Math.max(0, lastRefreshAt + REFRESH_MIN_GAP_MS - Date.now());
    timer = setTimeout(() => void refresh(), wait);
  }

  async function refresh(): Promise<void> {
    timer = null;
    refreshing = true;
    dirty = false;
    lastRefreshAt = Date.now();
    const g = generation;
    try {
      const r = await api<UnitList>('/units');
      if (g === generation) merge(r.items);
    } catch (err) {
      if (isTransient(err)) dirty = true;
    } finally {
      refreshing = false;
    }
    if (dirty && g === generation) schedule();
  }

  function reset(): void {
    generation++;
    dirty = false;
    unknownSeen.clear();
    if (timer !== null) clearTimeout(timer);
    timer = null;
    items.value = new Map();
    trails.clear();
    version.value++;
  }

  return { items, version, trails, load, applyEntry, applyPositions, reset };
});
