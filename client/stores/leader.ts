import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { LeaderIndicator, RankingBy } from '../../shared/leader.js';
import type { Level } from '../../shared/jurisdiction.js';
import type { Dispute, PetitionView } from '../../shared/governance.js';
import { listCases } from '../api/governance.js';
import { isTransient } from '../api/http.js';
import { getLeaderStats, getRankings, type LeaderStats, type Rankings } from '../api/leader.js';
import { rankingLevel, type Window } from '../components/leader/model.js';
import { useCasesStore } from './cases.js';
import { useIncidentsStore } from './incidents.js';
import { useJurisdictionsStore } from './jurisdictions.js';
import { useLiveStore } from './live.js';

/** Re-read even when nothing live arrives. */
export const LEADER_POLL_MS = 60_000;
/** Live entries make the data re-read after this quiet time. */
const LIVE_DEBOUNCE_MS = 4000;
const RETRY_MS = 5000;
const OVERDUE_LIMIT = 100;

export type OverdueCase = Dispute | PetitionView;
export type LoadState = 'loading' | 'ready' | 'error';

/**
 * The leader view's data (issue 9): the indicators, the rankings of the level below the scope and
 * the overdue cases in it, all computed by the server (GET /stats, GET /disputes?overdue=1, GET
 * /petitions?overdue=1) and re-read when the scope or the ranking changes, after live entries
 * (debounced), after a reconnect and on an interval. `scope` null: the user's own scope.
 */
export const useLeaderStore = defineStore('leader', () => {
  const live = useLiveStore();
  const incidents = useIncidentsStore();
  const cases = useCasesStore();
  const jurisdictions = useJurisdictionsStore();

  const scope = ref<string | null>(null);
  const windowDays = ref<Window>(30);
  const by = ref<RankingBy>('crime');
  const indicator = ref<LeaderIndicator>('onTimeArrival');

  const stats = shallowRef<LeaderStats | null>(null);
  const rankings = shallowRef<Rankings | null>(null);
  const overdue = shallowRef<OverdueCase[]>([]);
  const statsState = ref<LoadState>('loading');
  const rankingsState = ref<LoadState>('loading');
  const overdueState = ref<LoadState>('loading');
  const loadedAt = ref<number | null>(null);
  const overdueAt = ref<number | null>(null);

  let users = 0;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const stops: (() => void)[] = [];

  const levelOf = (id: string | null): Level => (id ? jurisdictions.byId.get(id)?.level : undefined) ?? 'city';

  function schedule(ms: number): void {
    if (timer !== null) clearTimeout(timer);
    timer = users > 0 ? setTimeout(() => void refresh(), ms) : null;
  }

  async function loadRankings(g: number): Promise<boolean> {
    const want = scope.value;
    try {
      const r = await getRankings(want, rankingLevel(levelOf(want)), by.value);
      if (g !== generation) return true;
      rankings.value = Object.freeze(r);
      rankingsState.value = 'ready';
      return true;
    } catch (err) {
      if (g === generation) rankingsState.value = 'error';
      return !isTransient(err);
    }
  }

  async function loadStats(g: number): Promise<boolean> {
    try {
      const s = await getLeaderStats(scope.value);
      if (g !== generation) return true;
      stats.value = Object.freeze(s);
      statsState.value = 'ready';
      loadedAt.value = Date.now();
      return true;
    } catch (err) {
      if (g === generation) statsState.value = 'error';
      return !isTransient(err);
    }
  }

  async function loadOverdue(g: number): Promise<boolean> {
    const q = `overdue=1${scope.value ? `&scope=${encodeURIComponent(scope.value)}` : ''}`;
    try {
      const [d, p] = await Promise.all([listCases('dispute', q, OVERDUE_LIMIT, null), listCases('petition', q, OVERDUE_LIMIT, null)]);
      if (g !== generation) return true;
      const all = [...d.items, ...p.items] as OverdueCase[];
      // the longest overdue first
      overdue.value = all.sort((a, b) => Date.parse(a.deadline ?? '') - Date.parse(b.deadline ?? '') || a.id.localeCompare(b.id));
      overdueState.value = 'ready';
      overdueAt.value = Date.now();
      return true;
    } catch (err) {
      if (g === generation) overdueState.value = 'error';
      return !isTransient(err);
    }
  }

  /** Reads everything for the current scope. */
  async function refresh(): Promise<void> {
    if (users <= 0) return;
    const g = generation;
    const ok = await Promise.all([loadStats(g), loadRankings(g), loadOverdue(g)]);
    if (g === generation) schedule(ok.every(Boolean) ? LEADER_POLL_MS : RETRY_MS);
  }

  function soon(): void {
    // a replay moving the stores is not news for the indicators
    if (debounce !== null || live.replaying) return;
    debounce = setTimeout(() => {
      debounce = null;
      void refresh();
    }, LIVE_DEBOUNCE_MS);
  }

  /** Every panel follows another scope. */
  function setScope(next: string | null): void {
    if (next === scope.value) return;
    scope.value = next;
    generation++;
    statsState.value = rankingsState.value = overdueState.value = 'loading';
    void refresh();
  }

  /** The rankings by another measure (only they are read again). */
  function setBy(next: RankingBy): void {
    if (next === by.value) return;
    by.value = next;
    rankingsState.value = 'loading';
    void loadRankings(generation);
  }

  /** Starts reading for one more user (the leader view); `release` when it unmounts. */
  function acquire(): () => void {
    users++;
    if (users === 1) {
      stops.push(
        watch(() => [incidents.version, cases.version], soon),
        watch(() => live.state, (st, before) => {
          if (st === 'connected' && before !== 'connected') void refresh();
        }),
      );
      // back on the page with a scope kept from before: read it again
      if (scope.value !== null) void refresh();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      users--;
      if (users > 0) return;
      for (const s of stops.splice(0)) s();
      if (timer !== null) clearTimeout(timer);
      if (debounce !== null) clearTimeout(debounce);
      timer = debounce = null;
    };
  }

  return {
    scope, windowDays, by, indicator, stats, rankings, overdue, statsState, rankingsState, overdueState, loadedAt, overdueAt,
    refresh, setScope, setBy, acquire,
  };
});
