import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Presence } from '../../shared/live.js';

export interface WatchedObject {
  objectKind: string;
  objectId: string;
}

export interface Viewer {
  id: string;
  displayName: string;
}

const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;

/**
 * Presence (DESIGN §5): the one object this page is viewing or handling, and who else is on it.
 * The live store sends `watching` to the server on every (re)connect and whenever it changes, and
 * feeds `presence` frames to `apply`. The server sends presence only for the object the socket
 * views, so only that object's viewers are kept: a late frame for an object left behind is dropped.
 */
export const usePresenceStore = defineStore('presence', () => {
  const watching = ref<WatchedObject | null>(null);
  /** viewers by object, as the server last said (the watched object only) */
  const viewers = ref<Record<string, Viewer[]>>({});

  /** Starts viewing an object (the previous one is left). */
  function watch(kind: string, id: string): void {
    if (watching.value?.objectKind === kind && watching.value.objectId === id) return;
    watching.value = { objectKind: kind, objectId: id };
    viewers.value = {};
  }

  /** Stops viewing any object. */
  function unwatch(): void {
    if (watching.value === null) return;
    watching.value = null;
    viewers.value = {};
  }

  /** Who views the object (the current user included once the server has counted it); reactive. */
  function viewersOf(kind: string, id: string): Viewer[] {
    return viewers.value[keyOf(kind, id)] ?? [];
  }

  /** A `presence` frame from the server. */
  function apply(p: Presence): void {
    const w = watching.value;
    if (!w || w.objectKind !== p.objectKind || w.objectId !== p.objectId || !Array.isArray(p.users)) return;
    viewers.value = { [keyOf(p.objectKind, p.objectId)]: p.users.map((u) => ({ id: u.id, displayName: u.displayName })) };
  }

  /** Forgets everything (logout, expired session). */
  function reset(): void {
    watching.value = null;
    viewers.value = {};
  }

  return { watching, watch, unwatch, viewersOf, apply, reset };
});
