import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import { getWallStats, type WallStats } from '../api/wall.js';
import { isTransient } from '../api/http.js';
import { useAlertsStore } from './alerts.js';
import { useCasesStore } from './cases.js';
import { useIncidentsStore } from './incidents.js';
import { useLiveStore } from './live.js';

/** Re-read the stats this often even when nothing live arrives. */
export const WALL_POLL_MS = 30_000;
/** Live entries (incidents, alerts, cases) make the stats re-read after this quiet time. */
const LIVE_DEBOUNCE_MS = 3000;
/** A failed read is retried this soon (a restarting server comes back within seconds). */
const RETRY_MS = 5000;

/**
 * The wall's statistics (GET /stats?metric=wall): computed on the server, read on an interval,
 * after live entries (debounced) and after a reconnect; the browser never recomputes history.
 * `scope`: the scene's district, or null for the user's own scope.
 */
export const useWallStore = defineStore('wall', () => {
  const live = useLiveStore();
  const incidents = useIncidentsStore();
  const alerts = useAlertsStore();
  const cases = useCasesStore();

  const stats = shallowRef<WallStats | null>(null);
  const scope = ref<string | null>(null);
  /** the last read failed (the panels keep their values and "as of" time) */
  const failing = ref(false);
  const loadedAt = ref<number | null>(null);
  let users = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  let inFlight = false;
  let again = false;
  let generation = 0;
  const stops: (() => void)[] = [];

  function schedule(ms: number): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), ms);
  }

  async function refresh(): Promise<void> {
    if (users <= 0) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const g = generation;
    const want = scope.value;
    try {
      const s = await getWallStats(want);
      if (g !== generation || want !== scope.value) {
        again = true;
      } else {
        stats.value = Object.freeze(s);
        loadedAt.value = Date.now();
        failing.value = false;
      }
      schedule(WALL_POLL_MS);
    } catch (err) {
      failing.value = true;
      schedule(isTransient(err) ? RETRY_MS : WALL_POLL_MS);
    } finally {
      inFlight = false;
    }
    if (again && users > 0) {
      again = false;
      void refresh();
    }
  }

  function soon(): void {
    if (debounce !== null) return;
    debounce = setTimeout(() => {
      debounce = null;
      void refresh();
    }, LIVE_DEBOUNCE_MS);
  }

  /** The panels follow another scope (a district scene) or the user's own (null). */
  function setScope(next: string | null): void {
    if (next === scope.value) return;
    scope.value = next;
    generation++;
    void refresh();
  }

  /** Starts polling for one more user (the wall view); `release` when it unmounts. */
  function acquire(): () => void {
    users++;
    if (users === 1) {
      stops.push(
        watch(() => [incidents.version, alerts.version, cases.version], soon),
        // back from an outage (a server restart): read at once rather than at the next poll
        watch(() => live.state, (st, before) => {
          if (st === 'connected' && before !== 'connected') void refresh();
        }),
      );
      void refresh();
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

  return { stats, scope, failing, loadedAt, refresh, setScope, acquire };
});
