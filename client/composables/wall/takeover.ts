import { computed, onBeforeUnmount, ref, watch } from 'vue';
import { useAlertsStore } from '../../stores/alerts.js';
import { isOpen, useIncidentsStore } from '../../stores/incidents.js';
import { useLiveStore } from '../../stores/live.js';
import { useClockStore } from '../../stores/clock.js';
import { advance, dismiss, emptyQueue, enqueue, freshEnough, type Takeover } from './model.js';

/**
 * New priority-1 incidents and critical alerts take the front (DESIGN §9): objects present in the
 * first snapshot are known; one seen later (live, or in a snapshot reloaded after an outage) and
 * recent enough is queued; each holds the front for 8 s, then the next, then the screen returns.
 */
export function useTakeovers(onShow: (t: Takeover) => void) {
  const incidents = useIncidentsStore();
  const alerts = useAlertsStore();
  const live = useLiveStore();
  const clock = useClockStore();
  const q = emptyQueue();
  const version = ref(0);
  const current = computed(() => {
    void version.value;
    return q.current ? { ...q.current } : null;
  });
  const waiting = computed(() => {
    void version.value;
    return q.queued.length;
  });
  const knownIncidents = new Set<string>();
  const knownAlerts = new Set<string>();
  let seededIncidents = false;
  let seededAlerts = false;

  function changed(before: string | null): void {
    version.value++;
    if (q.current && q.current.key !== before) onShow(q.current);
  }

  function add(kind: Takeover['kind'], id: string): void {
    const before = q.current?.key ?? null;
    if (enqueue(q, { kind, id }, Date.now())) changed(before);
  }

  function prune<T>(known: Set<string>, items: ReadonlyMap<string, T>): void {
    if (known.size <= items.size * 2 + 1000) return;
    for (const id of known) if (!items.has(id)) known.delete(id);
    if (q.seen.size > 5000) q.seen = new Set([...q.seen].slice(-2000));
  }

  function scanIncidents(): void {
    if (live.snapshotAt === null) return;
    const first = !seededIncidents;
    seededIncidents = true;
    const now = clock.serverNow();
    for (const [id, i] of incidents.items) {
      if (knownIncidents.has(id)) continue;
      knownIncidents.add(id);
      if (!first && i.priority === 1 && isOpen(i) && freshEnough(i.receivedAt, now)) add('incident', id);
    }
    prune(knownIncidents, incidents.items);
  }

  function scanAlerts(): void {
    if (live.snapshotAt === null) return;
    const first = !seededAlerts;
    seededAlerts = true;
    const now = clock.serverNow();
    for (const [id, a] of alerts.items) {
      if (knownAlerts.has(id)) continue;
      knownAlerts.add(id);
      if (!first && a.severity === 'critical' && a.state === 'open' && freshEnough(a.raisedAt, now)) add('alert', id);
    }
    prune(knownAlerts, alerts.items);
  }

  const stops = [
    watch([() => incidents.version, () => live.snapshotAt], scanIncidents, { immediate: true }),
    watch([() => alerts.version, () => live.snapshotAt], scanAlerts, { immediate: true }),
  ];
  const timer = setInterval(() => {
    const before = q.current?.key ?? null;
    if (advance(q, Date.now())) changed(before);
  }, 250);

  function skip(): void {
    const before = q.current?.key ?? null;
    dismiss(q, Date.now());
    changed(before);
  }

  onBeforeUnmount(() => {
    for (const s of stops) s();
    clearInterval(timer);
  });

  return { current, waiting, skip };
}
