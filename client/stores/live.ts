import { defineStore } from 'pinia';
import { io, type Socket } from 'socket.io-client';
import { computed, ref, watch } from 'vue';
import { LIVE, type ClientToServerEvents, type ConnectErrorCode, type EventsFrame, type HandshakeAuth, type Hello, type ServerToClientEvents } from '../../shared/live.js';
import { isTransient, sleep } from '../api/http.js';
import { minAsOf } from '../api/seq.js';
import { useAlertsStore } from './alerts.js';
import { useCasesStore } from './cases.js';
import { useClockStore } from './clock.js';
import { useIncidentsStore } from './incidents.js';
import { usePresenceStore } from './presence.js';
import { useRiskStore } from './risk.js';
import { useSessionStore } from './session.js';
import { useUnitsStore } from './units.js';

export type ConnectionState = 'connected' | 'reconnecting' | 'offline';
type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** No frame (data or heartbeat, sent at least every 5 s) for this long while connected: stale. */
export const STALE_AFTER_MS = 12_000;
/** Reconnecting for longer than this is shown as offline (red), not as a passing blip (amber). */
const OFFLINE_AFTER_MS = 15_000;
/** A first connection slower than this is reported like any outage. */
const CONNECT_GRACE_MS = 5000;
const backoff = (attempt: number) => Math.min(1000 * 2 ** attempt, 15_000) * (0.75 + Math.random() * 0.5);

function errorCode(err: Error & { data?: unknown }): ConnectErrorCode | string | undefined {
  const d = err.data;
  return typeof d === 'object' && d !== null && 'code' in d && typeof d.code === 'string' ? d.code : undefined;
}

/**
 * The one owner of the socket (DESIGN §5, §9): snapshots first, then the socket resumes from the
 * smallest `asOfSeq`; entries and positions go to the stores; components read the stores.
 */
export const useLiveStore = defineStore('live', () => {
  const incidents = useIncidentsStore();
  const units = useUnitsStore();
  const alerts = useAlertsStore();
  const cases = useCasesStore();
  const clock = useClockStore();
  const session = useSessionStore();
  const presence = usePresenceStore();
  const risk = useRiskStore();

  const state = ref<ConnectionState>('offline');
  const lastFrameAt = ref<number | null>(null);
  const staleSince = ref<number | null>(null);
  const snapshotAt = ref<number | null>(null);
  const degraded = ref<string[]>([]);
  /** true from start until the first `events` frame (or a grace period): a page load is not an outage */
  const connecting = ref(false);
  /** the resume point: the last `headSeq` received (or the snapshots' smallest `asOfSeq`) */
  const lastSeq = ref<string | null>(null);
  /** situation replay (issue 9): the stores show a past window and live frames are not applied */
  const replaying = ref(false);
  /** the time the data on screen is valid as of */
  const dataAsOf = computed(() => staleSince.value ?? lastFrameAt.value ?? snapshotAt.value);

  let socket: LiveSocket | null = null;
  let logEpoch: string | undefined;
  let buildVersion: string | null = null;
  let run = 0;
  let resyncing = false;
  let downSince: number | null = null;
  let connectedAt = 0;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let watchdog: ReturnType<typeof setInterval> | null = null;
  let startedAt = 0;
  let lastResyncAt = 0;
  let resyncStreak = 0;
  /** roles and scopes of the last `hello`, to notice an admin's change */
  let helloUserKey: string | null = null;

  const running = (r: number) => r === run && r > 0;

  /** The handshake's `auth`, read on every (re)connect. */
  function handshakeAuth(): HandshakeAuth {
    return { ...(lastSeq.value !== null ? { lastSeq: lastSeq.value } : {}), ...(logEpoch ? { logEpoch } : {}) };
  }

  /** Loads both snapshots, retrying while the server is unreachable; false when given up or stopped. */
  async function loadSnapshots(r: number): Promise<boolean> {
    for (let i = 0; running(r); i++) {
      try {
        const [a, b, c, d] = await Promise.all([incidents.load(), units.load(), alerts.load(), cases.load()]);
        if (!running(r)) return false;
        // an empty log (null) resumes from its very start
        // cases: undefined when this server has no governance routes (nothing to resume for)
        lastSeq.value = minAsOf(a, b.asOfSeq, c, ...(d === undefined ? [] : [d])) ?? '0-0';
        // the snapshot says which log its asOfSeq belongs to: resume without a resync round trip
        logEpoch = b.logEpoch || logEpoch;
        snapshotAt.value = Date.now();
        // loaded lazily by the map; after a gap or a change of scope its snapshot is read again
        risk.reload();
        return true;
      } catch (err) {
        if (!isTransient(err)) return false; // 401: the http layer has sent us to login
        await sleep(backoff(i));
      }
    }
    return false;
  }

  function frame(): void {
    lastFrameAt.value = Date.now();
    staleSince.value = null;
  }

  function markDown(): void {
    downSince ??= Date.now();
    state.value = Date.now() - downSince > OFFLINE_AFTER_MS ? 'offline' : 'reconnecting';
    staleSince.value ??= lastFrameAt.value ?? snapshotAt.value ?? Date.now();
  }

  /** Reconnects by hand where socket.io does not (a middleware refusal, a server-side disconnect). */
  function retryLater(): void {
    if (retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (run > 0 && !resyncing) socket?.connect();
    }, backoff(attempt++));
  }

  function onHello(h: Hello): void {
    if (buildVersion !== null && h.version !== buildVersion) {
      location.reload();
      return;
    }
    buildVersion = h.version;
    logEpoch = h.logEpoch;
    // an admin changed our roles or scopes: the server re-handshakes the socket with the new user;
    // new scopes mean a different picture, so the snapshots are reloaded
    const key = JSON.stringify([[...h.user.roles].sort(), [...h.user.scopes].sort()]);
    const changed = helloUserKey !== null && helloUserKey !== key;
    helloUserKey = key;
    if (session.user && session.user.id === h.user.id && changed) session.replaceUser(h.user);
    if (changed) {
      void resync();
      return;
    }
    clock.setServerTime(h.serverTime);
    frame();
  }

  function onEvents(f: EventsFrame): void {
    // replaying: the frame still proves the connection alive and moves the resume point; its
    // entries come back with the snapshots read when the replay ends
    if (!replaying.value) applyEvents(f);
    if (f.headSeq !== null) lastSeq.value = f.headSeq;
    degraded.value = f.degraded ?? [];
    // not on `hello`: a first connection may still be sent to resync before any frame
    connecting.value = false;
    frame();
  }

  function applyEvents(f: EventsFrame): void {
    for (const e of f.events) {
      incidents.applyEntry(e);
      units.applyEntry(e);
      alerts.applyEntry(e);
      cases.applyEntry(e);
      risk.applyEntry(e);
    }
  }

  /**
   * `resync`: reload the snapshots, then reconnect from their smallest `asOfSeq`. `quiet` (leaving
   * a replay): not an outage, so no banner and no back-off.
   */
  async function resync(quiet = false): Promise<void> {
    if (resyncing) return;
    const r = run;
    resyncing = true;
    socket?.disconnect();
    if (!quiet) {
      markDown();
      // a server that keeps answering resync must not turn us into a snapshot loop
      resyncStreak = Date.now() - lastResyncAt < 10_000 ? resyncStreak + 1 : 0;
      lastResyncAt = Date.now();
      if (resyncStreak > 0) await sleep(backoff(resyncStreak));
    }
    // during a replay the stores hold the past: the snapshots are read when it ends
    const ok = replaying.value ? running(r) : await loadSnapshots(r);
    resyncing = false;
    if (ok && running(r)) socket?.connect();
  }

  /** Tells the server which object this page views (presence); nothing while not connected. */
  function sendView(): void {
    if (run <= 0 || !socket?.connected) return;
    const w = presence.watching;
    socket.emit('view', w ? { objectKind: w.objectKind, objectId: w.objectId } : null);
  }
  watch(() => presence.watching, () => sendView());

  function createSocket(): LiveSocket {
    const s: LiveSocket = io({
      path: LIVE.path,
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 1000,
      // a wall must come back soon after a server restart; the jitter spreads many clients
      reconnectionDelayMax: 5000,
      auth: (cb) => cb(handshakeAuth()),
    });
    // bound once, for the life of the page; a stopped store ignores late events
    s.on('connect', () => {
      state.value = 'connected';
      connectedAt = Date.now();
      downSince = null;
      attempt = 0;
    });
    s.on('hello', (h) => {
      if (run <= 0) return;
      onHello(h);
      // presence belongs to the socket: every (re)connect announces the object on screen again
      if (presence.watching) sendView();
    });
    s.on('presence', (p) => {
      if (run > 0) presence.apply(p);
    });
    s.on('events', (f) => {
      if (run > 0) onEvents(f);
    });
    s.on('positions', (f) => {
      if (run === 0) return;
      if (!replaying.value) units.applyPositions(f.units);
      frame();
    });
    s.on('resync', () => {
      if (run > 0) void resync();
    });
    s.on('disconnect', (reason) => {
      if (run === 0 || resyncing) return;
      markDown();
      // socket.io reconnects by itself except after the server's own disconnect
      if (reason === 'io server disconnect') retryLater();
    });
    s.on('connect_error', (err) => {
      if (run === 0) return;
      if (errorCode(err) === 'unauthorized') {
        stop();
        session.expire();
        return;
      }
      if (errorCode(err) === 'forbidden') {
        // signed in, but no longer allowed to read (an admin changed our roles): ask who we are
        // now; without `read` the app stops the live picture, otherwise we keep retrying
        markDown();
        void session.refresh().then(() => {
          if (run > 0 && session.can('read')) retryLater();
        });
        return;
      }
      markDown();
      if (!s.active) retryLater();
    });
    return s;
  }

  function check(): void {
    const now = Date.now();
    if (connecting.value && now - startedAt > CONNECT_GRACE_MS) connecting.value = false;
    if (state.value !== 'connected') {
      if (downSince !== null && now - downSince > OFFLINE_AFTER_MS) state.value = 'offline';
      return;
    }
    const last = Math.max(lastFrameAt.value ?? 0, connectedAt);
    if (now - last > STALE_AFTER_MS) staleSince.value ??= lastFrameAt.value ?? snapshotAt.value ?? connectedAt;
  }

  /** Starts the live picture: snapshots, then the socket. Idempotent. */
  async function start(): Promise<void> {
    if (run > 0) return;
    const r = (run = Math.abs(run) + 1);
    state.value = 'reconnecting';
    connecting.value = true;
    startedAt = downSince = Date.now();
    watchdog = setInterval(check, 1000);
    if (!(await loadSnapshots(r)) || !running(r)) return;
    socket ??= createSocket();
    socket.connect();
  }

  /**
   * Situation replay (issue 9): the same stores then show a past window, driven by the replay
   * (incidents.showReplay); live frames keep the connection's health but are not applied.
   */
  function enterReplay(): void {
    if (replaying.value) return;
    replaying.value = true;
    incidents.reset();
    units.reset();
    alerts.reset();
    cases.reset();
  }

  /** Back to live without a reload: the snapshots are read again and the socket resumes from them. */
  async function exitReplay(): Promise<void> {
    if (!replaying.value) return;
    replaying.value = false;
    if (run > 0) await resync(true);
  }

  /** Stops everything and forgets the data (logout, expired session). */
  function stop(): void {
    if (run <= 0) return;
    run = -run;
    if (watchdog !== null) clearInterval(watchdog);
    if (retryTimer !== null) clearTimeout(retryTimer);
    watchdog = retryTimer = null;
    resyncing = false;
    socket?.disconnect();
    state.value = 'offline';
    connecting.value = false;
    lastFrameAt.value = staleSince.value = snapshotAt.value = lastSeq.value = null;
    logEpoch = undefined;
    helloUserKey = null;
    downSince = null;
    degraded.value = [];
    replaying.value = false;
    incidents.reset();
    units.reset();
    presence.reset();
    alerts.reset();
    cases.reset();
    risk.reset();
  }

  return { state, connecting, lastFrameAt, staleSince, snapshotAt, dataAsOf, degraded, lastSeq, replaying, start, stop, enterReplay, exitReplay };
});
