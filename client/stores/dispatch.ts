import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { CreateIncident } from '../../shared/api.js';
import type { IncidentStatus } from '../../shared/constants.js';
import type { Incident } from '../../shared/objects.js';
import {
  createIncident, dispatchUnits, getIncident, linkIncident, newIdempotencyKey, releaseUnits, transitionIncident, type CommandResult,
} from '../api/commands.js';
import { HttpError } from '../api/http.js';
import type { IncidentDetail } from '../api/types.js';
import { queueOrder } from '../components/dispatch/incident-rules.js';
import { refusalText } from '../components/dispatch/refusal.js';
import { errorText } from '../i18n/errors.js';
import { i18n } from '../i18n/index.js';
import { categoryName } from '../i18n/labels.js';
import { useAlertsStore, type AlertItem } from './alerts.js';
import { useRecommendations } from './dispatch-recs.js';
import { isOpen, useIncidentsStore } from './incidents.js';
import { useSessionStore } from './session.js';
import { useUnitsStore } from './units.js';

/** A message of the console: what a command did, or why it was refused and what holds now. */
export interface Notice {
  tone: 'ok' | 'error' | 'conflict';
  text: string;
  /** the error code, for tests and styling */
  code?: string;
  at: number;
}

/** Success notes fade after a while; refusals stay until read (Esc or ×). */
const OK_NOTICE_MS = 8000;
/** The live store announced a newer version of the selected incident: re-read its timeline after this. */
const DETAIL_DELAY_MS = 200;

const tr = (key: string, params: Record<string, unknown> = {}): string => (i18n.global.t as (k: string, p: Record<string, unknown>) => string)(key, params);
const locale = () => String(i18n.global.locale.value);

function withoutSeq(r: CommandResult): Incident {
  const { seq: _seq, warnings: _w, ...inc } = r;
  return inc;
}

/** An alert about an incident: its `subject`, else the incident named in its evidence. */
function aboutIncident(a: AlertItem, id: string): boolean {
  if (a.subject === `incident:${id}`) return true;
  const ev = a.evidence as { incidentId?: unknown } | null | undefined;
  return typeof ev === 'object' && ev !== null && ev.incidentId === id;
}

/**
 * The dispatch console's state (DESIGN §7, §9): the queue as the live incidents store has it, the
 * selected incident with its timeline and recommended units, and the commands with their
 * `expectedVersion` and one Idempotency-Key per user action. A 409 re-reads the incident and the
 * recommendations and says what holds now.
 */
export const useDispatchStore = defineStore('dispatch', () => {
  const incidents = useIncidentsStore();
  const units = useUnitsStore();
  const alerts = useAlertsStore();
  const session = useSessionStore();

  const selectedId = ref<string | null>(null);
  const selectedAlertId = ref<string | null>(null);
  const search = ref('');
  /** the last GET /incidents/:id of the selected incident (with its timeline) */
  const detail = shallowRef<IncidentDetail | null>(null);
  /** the incident as the last command answered it, until the live store catches up */
  const answered = shallowRef<Incident | null>(null);
  const busy = ref<string | null>(null);
  const notice = shallowRef<Notice | null>(null);

  const canDispatch = computed(() => session.can('incidents.dispatch'));

  /** The newest copy of the selected incident among the live store, the detail and the last answer. */
  const current = computed<Incident | null>(() => {
    void incidents.version;
    const id = selectedId.value;
    if (id === null) return null;
    let best: Incident | null = incidents.items.get(id) ?? null;
    for (const c of [detail.value, answered.value]) if (c && c.id === id && (!best || c.version > best.version)) best = c;
    return best;
  });

  const rec = useRecommendations(current, canDispatch, tr);

  /** Open incidents: located ones waiting for dispatch, those in progress, and the unlocated apart. */
  const queue = computed(() => {
    void incidents.version;
    const q = search.value.trim().toLowerCase();
    const waiting: Incident[] = [];
    const active: Incident[] = [];
    const unlocated: Incident[] = [];
    const loc = locale();
    for (const i of incidents.items.values()) {
      if (!isOpen(i)) continue;
      if (q && ![i.id, i.address ?? '', i.summary ?? '', categoryName(i.category, loc), i.category].some((s) => s.toLowerCase().includes(q))) continue;
      if (!i.location) unlocated.push(i);
      else if (i.status === 'new') waiting.push(i);
      else active.push(i);
    }
    waiting.sort(queueOrder);
    active.sort(queueOrder);
    unlocated.sort(queueOrder);
    return { waiting, active, unlocated };
  });

  /** The order J/K move through. */
  const order = computed(() => [...queue.value.waiting, ...queue.value.active, ...queue.value.unlocated]);

  /** Alerts not cleared about the selected incident. */
  const incidentAlerts = computed<AlertItem[]>(() => {
    void alerts.version;
    const id = selectedId.value;
    if (id === null) return [];
    return [...alerts.items.values()].filter((a) => a.state !== 'cleared' && aboutIncident(a, id));
  });

  function say(tone: Notice['tone'], text: string, code?: string): void {
    const n: Notice = { tone, text, at: Date.now(), ...(code ? { code } : {}) };
    notice.value = n;
    if (tone === 'ok') {
      setTimeout(() => {
        if (notice.value === n) notice.value = null;
      }, OK_NOTICE_MS);
    }
  }

  // ---- selection ----

  let detailTimer: ReturnType<typeof setTimeout> | null = null;
  let detailSeq = 0;

  function select(id: string | null): void {
    if (id === selectedId.value) return;
    selectedId.value = id;
    detail.value = null;
    answered.value = null;
    rec.reset();
    if (notice.value?.tone !== 'ok') notice.value = null;
    if (id !== null) {
      void loadDetail();
      void rec.load(true);
    }
  }

  /** Moves the selection by `step` in the queue order (J/K, ↓/↑). */
  function move(step: number): void {
    const list = order.value;
    if (list.length === 0) return;
    const at = list.findIndex((i) => i.id === selectedId.value);
    const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    select(list[next]!.id);
  }

  async function loadDetail(): Promise<void> {
    const id = selectedId.value;
    if (id === null) return;
    const n = ++detailSeq;
    try {
      const d = await getIncident(id);
      if (n === detailSeq && selectedId.value === id) detail.value = markRaw(d);
    } catch (err) {
      if (n === detailSeq && selectedId.value === id && err instanceof HttpError && err.status === 404) say('error', tr('dispatch.gone', { id }), 'not_found');
    }
  }

  // the live store moved the selected incident past the detail we hold: re-read its timeline
  watch(() => {
    void incidents.version;
    const id = selectedId.value;
    return id === null ? 0 : (incidents.items.get(id)?.version ?? 0);
  }, (v) => {
    if (!detail.value || v <= detail.value.version) return;
    if (detailTimer !== null) clearTimeout(detailTimer);
    detailTimer = setTimeout(() => {
      detailTimer = null;
      void loadDetail();
      void rec.load(true);
    }, DETAIL_DELAY_MS);
  });

  // ---- commands ----

  const callsign = (unitId: string) => units.items.get(unitId)?.callsign ?? rec.callsignOf(unitId) ?? unitId;

  /**
   * Runs one command on the selected incident at the version on screen, with a fresh
   * Idempotency-Key: one at a time; the answer becomes the incident shown; a refusal re-reads the
   * incident and the recommendations and says what holds now.
   */
  async function command(action: string, send: (inc: Incident, key: string) => Promise<CommandResult>, done: (inc: Incident) => string): Promise<boolean> {
    const inc = current.value;
    if (!inc || busy.value !== null) return false;
    busy.value = action;
    const key = newIdempotencyKey();
    try {
      const after = withoutSeq(await send(inc, key));
      if (after.id === selectedId.value) answered.value = markRaw(after);
      say('ok', done(inc));
      void loadDetail();
      void rec.load(true);
      return true;
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) {
        await Promise.all([loadDetail(), rec.load(true)]);
        say('conflict', refusalText(err, current.value, callsign, tr), err.code);
      } else {
        say('error', errorText(err, tr), err instanceof HttpError ? err.code : 'network');
      }
      return false;
    } finally {
      busy.value = null;
    }
  }

  /** Dispatches units to the selected incident. */
  function dispatch(unitIds: string[]): Promise<boolean> {
    if (unitIds.length === 0 || !canDispatch.value) return Promise.resolve(false);
    return command('dispatch', (inc, key) => dispatchUnits(inc.id, { unitIds, expectedVersion: inc.version }, key),
      (inc) => tr('dispatch.done.dispatched', { units: unitIds.map(callsign).join('、'), id: inc.id }));
  }

  /** Dispatches the n-th recommendation (0 = the top one). */
  function dispatchNth(n: number): Promise<boolean> {
    const r = rec.recs.value;
    const item = r && r.incidentId === selectedId.value ? r.items[n] : undefined;
    if (!item) {
      if (current.value && canDispatch.value) say('error', tr('dispatch.recs.noneAt', { n: n + 1 }), 'no_recommendation');
      return Promise.resolve(false);
    }
    return dispatch([item.unitId]);
  }

  function release(unitIds: string[]): Promise<boolean> {
    if (unitIds.length === 0 || !canDispatch.value) return Promise.resolve(false);
    return command('release', (inc, key) => releaseUnits(inc.id, { unitIds, expectedVersion: inc.version }, key),
      () => tr('dispatch.done.released', { units: unitIds.map(callsign).join('、') }));
  }

  function link(duplicateOf: string): Promise<boolean> {
    return command('link', (inc, key) => linkIncident(inc.id, { duplicateOf, expectedVersion: inc.version }, key),
      (inc) => tr('dispatch.done.linked', { id: inc.id, target: duplicateOf }));
  }

  function transition(to: IncidentStatus, note?: string): Promise<boolean> {
    return command('transition', (inc, key) => transitionIncident(inc.id, { to, expectedVersion: inc.version, ...(note ? { note } : {}) }, key),
      (inc) => tr('dispatch.done.transition', { id: inc.id, status: tr(`status.${to}`) }));
  }

  /** Manual call-taking: POST /incidents; the new incident becomes the selection. Throws for the form to show field errors. */
  async function create(body: Omit<CreateIncident, 'incidentId'>, key: string): Promise<Incident> {
    const inc = withoutSeq(await createIncident(body, key));
    select(inc.id);
    answered.value = markRaw(inc);
    say('ok', tr('dispatch.done.created', { id: inc.id }));
    void rec.load(true);
    return inc;
  }

  /** Acknowledges an alert: the given one, else the one chosen in the list, else the open one about the selected incident. */
  async function acknowledge(a?: AlertItem): Promise<boolean> {
    const chosen = selectedAlertId.value ? alerts.items.get(selectedAlertId.value) : undefined;
    const alert = a ?? (chosen?.state === 'open' ? chosen : undefined) ?? incidentAlerts.value.find((x) => x.state === 'open');
    if (!alert || alert.state !== 'open' || !session.can('alerts.acknowledge') || busy.value !== null) return false;
    busy.value = 'acknowledge';
    try {
      await alerts.acknowledge(alert);
      say('ok', tr('dispatch.done.acknowledged', { kind: tr(`alerts.kind.${alert.kind}`) }));
      return true;
    } catch (err) {
      say(err instanceof HttpError && err.status === 409 ? 'conflict' : 'error', errorText(err, tr), err instanceof HttpError ? err.code : 'network');
      return false;
    } finally {
      busy.value = null;
    }
  }

  function clear(): void {
    select(null);
    selectedAlertId.value = null;
    search.value = '';
    notice.value = null;
  }

  // another user signed in on this page: nothing of the last one's console carries over
  watch(() => session.user?.id, (now, before) => {
    if (now !== before) clear();
  });

  return {
    selectedId, selectedAlertId, search, detail, current, busy, notice, queue, order, incidentAlerts, canDispatch,
    recs: rec.recs, recsError: rec.error, recsLoading: rec.loading, loadRecs: rec.load,
    select, move, dispatch, dispatchNth, release, link, transition, create, acknowledge, say, clear,
  };
});
