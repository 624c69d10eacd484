// The recommendations of the dispatch console's selected incident (GET /incidents/:id/recommendations):
// loaded on selection, re-ranked when the set of available units changes (throttled) and
// periodically (units move), dropped for incidents that are unlocated or ended. Used by the
// dispatch store, inside its setup (so its watchers live as long as that store).
import { computed, markRaw, ref, shallowRef, watch, type Ref } from 'vue';
import type { Incident } from '../../shared/objects.js';
import { getRecommendations, type Recommendations } from '../api/commands.js';
import { DISPATCHABLE } from '../components/dispatch/incident-rules.js';
import { errorText } from '../i18n/errors.js';
import type { Translate } from '../i18n/labels.js';
import { useUnitsStore } from './units.js';

/** Re-ranking after unit changes happens at most this often, and anyway this often. */
const MIN_GAP_MS = 3000;
const PERIOD_MS = 20_000;

export type IncidentRecommendations = Recommendations & { incidentId: string };

export function useRecommendations(current: Ref<Incident | null>, allowed: Ref<boolean>, tr: Translate) {
  const units = useUnitsStore();
  const recs = shallowRef<IncidentRecommendations | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  let seq = 0;
  let loadedAt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const selectedId = () => current.value?.id ?? null;

  /** Loads the recommendations of the current incident (`force`: even right after the last load). */
  async function load(force = false): Promise<void> {
    const inc = current.value;
    if (!inc || !allowed.value) return;
    if (!inc.location || !DISPATCHABLE.includes(inc.status)) {
      recs.value = null;
      error.value = inc.location ? null : tr('dispatch.recs.unlocated');
      return;
    }
    if (!force && Date.now() - loadedAt < MIN_GAP_MS) return;
    const n = ++seq;
    loadedAt = Date.now();
    loading.value = true;
    try {
      const r = await getRecommendations(inc.id);
      if (n !== seq || selectedId() !== inc.id) return;
      recs.value = markRaw({ ...r, incidentId: inc.id });
      error.value = null;
    } catch (err) {
      if (n !== seq || selectedId() !== inc.id) return;
      error.value = errorText(err, tr);
    } finally {
      if (n === seq) loading.value = false;
    }
  }

  /** Forgets the list (another incident was selected). */
  function reset(): void {
    seq++;
    recs.value = null;
    error.value = null;
    loading.value = false;
  }

  // available units changed (a dispatch elsewhere, a unit freed): re-rank, throttled; a cheap
  // fingerprint of the available set, computed only while an incident is selected
  const availableKey = computed(() => {
    void units.version;
    if (current.value === null) return '';
    let n = 0;
    let h = 0;
    for (const u of units.items.values()) {
      if (u.status !== 'available') continue;
      n++;
      for (let k = 0; k < u.id.length; k++) h = (h * 31 + u.id.charCodeAt(k)) | 0;
    }
    return `${n}:${h}`;
  });
  watch(availableKey, () => {
    if (timer !== null || current.value === null) return;
    timer = setTimeout(() => {
      timer = null;
      void load(true);
    }, Math.max(300, loadedAt + MIN_GAP_MS - Date.now()));
  });
  setInterval(() => {
    if (current.value !== null && Date.now() - loadedAt >= PERIOD_MS) void load(true);
  }, 5000);

  /** A unit's callsign as the list names it. */
  const callsignOf = (unitId: string) => recs.value?.items.find((r) => r.unitId === unitId)?.callsign;

  return { recs, error, loading, load, reset, callsignOf };
}
