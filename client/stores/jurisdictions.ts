import { defineStore } from 'pinia';
import { markRaw, shallowRef } from 'vue';
import type { JurisdictionCollection, JurisdictionProps, Level } from '../../shared/jurisdiction.js';
import { api, isTransient, sleep } from '../api/http.js';

/** The jurisdiction tree (GET /jurisdictions), loaded once: the base map and the names of places. */
export const useJurisdictionsStore = defineStore('jurisdictions', () => {
  const collection = shallowRef<JurisdictionCollection | null>(null);
  const byId = shallowRef<ReadonlyMap<string, JurisdictionProps>>(new Map());
  let loading: Promise<JurisdictionCollection> | null = null;

  function load(): Promise<JurisdictionCollection> {
    loading ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const c = markRaw(await api<JurisdictionCollection>('/jurisdictions'));
          byId.value = new Map(c.features.map((f) => [f.properties.id, f.properties]));
          collection.value = c;
          return c;
        } catch (err) {
          if (!isTransient(err)) {
            loading = null;
            throw err;
          }
          await sleep(Math.min(1000 * 2 ** attempt, 15_000));
        }
      }
    })();
    return loading;
  }

  /** The name of the jurisdiction of `level` in an id chain (grid up to city), or null. */
  function nameAt(chain: readonly string[], level: Level): string | null {
    for (const id of chain) {
      const p = byId.value.get(id);
      if (p?.level === level) return p.name;
    }
    return null;
  }

  return { collection, byId, load, nameAt };
});
