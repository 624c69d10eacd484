import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { Entry } from '../../shared/objects.js';
import {
  instabilityClass as classOfInstability, RISK_CLASSES,
  type CrimeTerms, type IndicatorsResponse, type InstabilityTerms, type RiskClass,
} from '../../shared/risk.js';
import { compareSeq } from '../../shared/seq.js';
import { api, HttpError, isTransient, sleep } from '../api/http.js';
import { useJurisdictionsStore } from './jurisdictions.js';

/** What the live map colours grids by. */
export const RISK_MODES = ['none', 'crime', 'instability'] as const;
export type RiskMode = (typeof RISK_MODES)[number];

/**
 * Fill colours of the classes, hot to cold, ordered by lightness as well as hue (readable without
 * colour vision); always shown with the class's name in the legend and the card. A crime class of
 * `null` (no full pass has ranked the cell yet) is a light neutral: never guessed from the value.
 */
export const RISK_COLORS: Readonly<Record<RiskClass, string>> = {
  very_high: '#d61f3c',
  high: '#f4742b',
  elevated: '#f7d046',
  normal: '#2f8fb8',
};
export const UNRANKED_COLOR = '#c9d3df';
/** Fill opacity per class: the hottest cells stand out most. */
export const RISK_OPACITY: Readonly<Record<RiskClass | 'unranked', number>> = { very_high: 0.8, high: 0.7, elevated: 0.6, normal: 0.34, unranked: 0.3 };

/** A cell as the store keeps it: the snapshot row or the live entry's cell, whichever is newer. */
export interface RiskCell {
  id: string;
  crimeRisk: number;
  instabilityRisk: number;
  crimeClass: RiskClass | null;
  instabilityClass: RiskClass;
  /** incident and case ids behind the values, the most telling first */
  drivers: string[];
  /** null when the server left them out */
  terms: { crime: CrimeTerms; instability: InstabilityTerms } | null;
  at: string;
}

/** The class a cell shows in a mode; 'unranked' for a crime class not computed yet. */
export function cellClass(c: RiskCell, mode: Exclude<RiskMode, 'none'>): RiskClass | 'unranked' {
  return mode === 'crime' ? (c.crimeClass ?? 'unranked') : c.instabilityClass;
}

/** The fill colour of a class ('unranked': the crime class is null). */
export function riskColor(cls: RiskClass | 'unranked' | null): string {
  return cls === null || cls === 'unranked' ? UNRANKED_COLOR : RISK_COLORS[cls];
}

const isClass = (v: unknown): v is RiskClass => typeof v === 'string' && (RISK_CLASSES as readonly string[]).includes(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function termsOf(v: unknown): RiskCell['terms'] {
  if (!isRecord(v) || !isRecord(v.crime) || !isRecord(v.instability)) return null;
  const c = v.crime;
  const i = v.instability;
  return {
    crime: { longTerm: num(c.longTerm), recent: num(c.recent), weekday: num(c.weekday), neighbours: num(c.neighbours), events: num(c.events) },
    instability: {
      open: num(i.open), overdue: num(i.overdue), escalated: num(i.escalated), repeat: num(i.repeat), becameIncident: num(i.becameIncident), cases: num(i.cases),
    },
  };
}

/**
 * A snapshot row or an entry's cell as a RiskCell, or null when it is not one (no id). Lenient on
 * the rest: a missing instability class is derived from the score by the contract's thresholds.
 */
export function toCell(raw: unknown): RiskCell | null {
  if (!isRecord(raw) || typeof raw.id !== 'string' || !raw.id) return null;
  const instabilityRisk = num(raw.instabilityRisk);
  return {
    id: raw.id,
    crimeRisk: num(raw.crimeRisk),
    instabilityRisk,
    crimeClass: isClass(raw.crimeClass) ? raw.crimeClass : null,
    instabilityClass: isClass(raw.instabilityClass) ? raw.instabilityClass : classOfInstability(instabilityRisk),
    drivers: Array.isArray(raw.drivers) ? raw.drivers.filter((d): d is string => typeof d === 'string') : [],
    terms: termsOf(raw.terms),
    at: typeof raw.at === 'string' ? raw.at : new Date(0).toISOString(),
  };
}

/** A cell with nothing to show (both scores 0): the snapshot has no row for it, so neither do we. */
const isEmpty = (c: RiskCell) => c.crimeRisk === 0 && c.instabilityRisk === 0;

export type RiskStatus = 'idle' | 'loading' | 'ready' | 'error';

const backoff = (attempt: number) => Math.min(1000 * 2 ** attempt, 15_000) * (0.75 + Math.random() * 0.5);
/** Entries held while the snapshot loads (a burst of full passes is at most one per district). */
const MAX_PENDING = 2000;

/**
 * Grid risk indicators (DESIGN §8, §9): `GET /indicators?level=grid`, loaded lazily when a risk
 * colouring is first shown, then `indicator.updated` entries (changed cells, per district) from the
 * live store. Entries at or before the snapshot's `asOfSeq` are already in it; entries that arrive
 * while it loads wait and are applied after it. A cell is replaced only by one computed no earlier.
 */
export const useRiskStore = defineStore('risk', () => {
  /** grid id → cell; mutated in place, `version` counts changes */
  const items = shallowRef(new Map<string, RiskCell>());
  const version = ref(0);
  const status = ref<RiskStatus>('idle');
  /** the last failure's code (shown while retrying, and after giving up) */
  const error = ref<string | null>(null);
  /** the log position the held values are current to */
  const asOfSeq = ref<string | null>(null);
  /** the snapshot's scope (jurisdiction ids): live cells outside it are not ours to show */
  let scope: ReadonlySet<string> | null = null;
  let pending: Entry[] = [];
  const jurisdictions = useJurisdictionsStore();

  /** True when a grid lies in the snapshot's scope (or when that cannot be told yet). */
  function inScope(gridId: string): boolean {
    if (scope === null) return true;
    const byId = jurisdictions.byId;
    if (byId.size === 0) return true;
    for (let id: string | null = gridId, hops = 0; id !== null && hops < 12; hops++) {
      if (scope.has(id)) return true;
      id = byId.get(id)?.parentId ?? null;
    }
    return false;
  }
  let generation = 0;
  let loading: Promise<void> | null = null;

  async function fetchSnapshot(g: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await api<IndicatorsResponse>('/indicators?level=grid');
        if (g !== generation) return;
        const next = new Map<string, RiskCell>();
        for (const row of r.items as unknown[]) {
          if (isRecord(row) && row.level !== undefined && row.level !== 'grid') continue;
          const c = toCell(row);
          if (c && !isEmpty(c)) next.set(c.id, markRaw(c));
        }
        items.value = next;
        asOfSeq.value = r.asOfSeq;
        scope = r.scope ? new Set(r.scope.split(',')) : null;
        status.value = 'ready';
        error.value = null;
        const held = pending;
        pending = [];
        for (const e of held) applyEntry(e);
        version.value++;
        return;
      } catch (err) {
        if (g !== generation) return;
        error.value = err instanceof HttpError ? err.code : 'network';
        // 401: the http layer has sent us to login; 403/404: this answer will not change by waiting
        if (!isTransient(err)) {
          status.value = 'error';
          pending = [];
          return;
        }
        await sleep(backoff(attempt));
        if (g !== generation) return;
      }
    }
  }

  /** Loads the snapshot once (again after a refusal or a reset); resolves when it is in, or given up. */
  function load(): Promise<void> {
    if (loading && status.value !== 'error') return loading;
    const g = ++generation;
    status.value = 'loading';
    loading = fetchSnapshot(g);
    return loading;
  }

  /** Reloads the snapshot if one was loaded (the live stream had a gap, or the user's scope changed). */
  function reload(): void {
    if (status.value === 'idle') return;
    loading = null;
    void load();
  }

  /** Applies a log entry: the changed cells of one district. */
  function applyEntry(e: Entry): void {
    if (e.type !== 'indicator.updated') return;
    if (status.value === 'loading') {
      if (pending.length < MAX_PENDING) pending.push(e);
      return;
    }
    // not loaded: the snapshot, when asked for, has it
    if (status.value !== 'ready') return;
    if (asOfSeq.value !== null && compareSeq(e.seq, asOfSeq.value) <= 0) return;
    const cells = Array.isArray(e.data.cells) ? (e.data.cells as unknown[]) : [];
    let changed = false;
    for (const raw of cells) {
      const c = toCell(raw);
      if (!c || !inScope(c.id)) continue;
      const held = items.value.get(c.id);
      if (held && Date.parse(held.at) > Date.parse(c.at)) continue;
      if (isEmpty(c)) changed = items.value.delete(c.id) || changed;
      else {
        items.value.set(c.id, markRaw(c));
        changed = true;
      }
    }
    asOfSeq.value = e.seq;
    if (changed) version.value++;
  }

  /** Forgets everything (logout, expired session). */
  function reset(): void {
    generation++;
    loading = null;
    pending = [];
    scope = null;
    status.value = 'idle';
    error.value = null;
    asOfSeq.value = null;
    items.value = new Map();
    version.value++;
  }

  return { items, version, status, error, asOfSeq, load, reload, applyEntry, reset };
});
