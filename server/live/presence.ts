// Presence (DESIGN §5): who is viewing or handling an object. Ephemeral: it lives only in
// Socket.IO rooms `presence:<kind>:<id>`, never in the log or any Redis key.
//
// A socket sends `view {objectKind, objectId}` (or `view null`) and views at most one object at a
// time. The object is read from the store and must lie in the viewer's scope; a malformed payload is
// ignored outright, a well-formed one naming an object the viewer may not see (or that does not
// exist) only ends the socket's previous view. After a join, a leave or a disconnect, the room's
// users are computed across every instance (`fetchSockets()` goes through the adapter), deduped by
// user id, and emitted to the room (the emit crosses instances through the adapter too).
//
// Per room, recomputes are coalesced: at most one every PRESENCE_MIN_INTERVAL_MS, never two at once,
// so 100 viewers arriving together cost a couple of fetchSockets round trips, not 100. Two instances
// recomputing the same room concurrently may each miss the other's latest join, and their emits may
// arrive in either order; so each change is followed by one confirming recompute a little later,
// emitted only when its answer differs from the one this instance emitted last.
import type { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { PublicUser } from '../../shared/api.js';
import { objectId } from '../../shared/events.js';
import type { ClientToServerEvents, Presence, ServerToClientEvents } from '../../shared/live.js';
import { inScope } from '../auth/scope.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import { readObject } from '../store/objects.js';

/** Kinds of objects a socket may announce viewing. */
export const PRESENCE_KINDS = ['incident', 'dispute', 'petition', 'supervision', 'alert', 'unit'] as const;
export type PresenceKind = (typeof PRESENCE_KINDS)[number];

export const viewSchema = z.object({ objectKind: z.enum(PRESENCE_KINDS), objectId });
export type View = z.infer<typeof viewSchema>;

/** At most one recompute per room this often. */
export const PRESENCE_MIN_INTERVAL_MS = 250;
/** A confirming recompute this long after the last one a change caused. */
export const PRESENCE_CONFIRM_MS = 1_000;
/** A room that could not be listed is tried again this many times. */
const MAX_RETRIES = 3;

const PREFIX = 'presence:';
export const presenceRoom = (kind: PresenceKind, id: string) => `${PREFIX}${kind}:${id}`;

/** The object a presence room stands for. */
function roomObject(room: string): { objectKind: string; objectId: string } {
  const rest = room.slice(PREFIX.length);
  const i = rest.indexOf(':');
  return { objectKind: rest.slice(0, i), objectId: rest.slice(i + 1) };
}

/** Users of a room's sockets, each once (a user may have several tabs or instances), ordered by id. */
export function presenceUsers(users: readonly (Pick<PublicUser, 'id' | 'displayName'> | undefined)[]): Presence['users'] {
  const byId = new Map<string, string>();
  for (const u of users) if (u && !byId.has(u.id)) byId.set(u.id, u.displayName);
  return [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, displayName]) => ({ id, displayName }));
}

interface PresenceData {
  user: PublicUser;
}
type PresenceServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, PresenceData>;
type PresenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, PresenceData>;

export interface PresenceDeps {
  redis: Redis;
  log: Pick<Logger, 'warn'>;
  /** defaults: PRESENCE_MIN_INTERVAL_MS, PRESENCE_CONFIRM_MS */
  minIntervalMs?: number;
  confirmMs?: number;
}

interface RoomState {
  timer: ReturnType<typeof setTimeout> | null;
  running: boolean;
  /** a change happened since the last recompute started */
  dirty: boolean;
  /** the next recompute only confirms (emits only if the answer changed) */
  confirming: boolean;
  lastRun: number;
  /** the users this instance emitted last, as a comparable key */
  lastEmitted: string | null;
  /** listing the room failed this many times in a row */
  failures: number;
}

export interface PresenceTracker {
  /** Starts handling `view` for a new socket (call synchronously on connection). */
  track(socket: PresenceSocket): void;
  /** Clears pending recomputes (the server is closing). */
  stop(): void;
}

export function attachPresence(io: PresenceServer, d: PresenceDeps): PresenceTracker {
  const minInterval = d.minIntervalMs ?? PRESENCE_MIN_INTERVAL_MS;
  const confirmMs = d.confirmMs ?? PRESENCE_CONFIRM_MS;
  const rooms = new Map<string, RoomState>();
  let stopped = false;

  /** A membership of `room` changed on this instance: recompute soon (coalesced). */
  function changed(room: string): void {
    if (stopped) return;
    let st = rooms.get(room);
    if (!st) {
      st = { timer: null, running: false, dirty: false, confirming: false, lastRun: 0, lastEmitted: null, failures: 0 };
      rooms.set(room, st);
    }
    st.dirty = true;
    st.confirming = false;
    if (st.running) return; // rescheduled when the running one ends
    if (st.timer !== null) clearTimeout(st.timer); // a pending confirmation becomes a real recompute
    schedule(room, st, Math.max(0, st.lastRun + minInterval - Date.now()));
  }

  function schedule(room: string, st: RoomState, delay: number): void {
    st.timer = setTimeout(() => {
      st.timer = null;
      void recompute(room, st);
    }, delay);
    st.timer.unref?.();
  }

  async function recompute(room: string, st: RoomState): Promise<void> {
    if (stopped) return;
    const confirming = st.confirming && !st.dirty;
    st.running = true;
    st.dirty = false;
    st.confirming = false;
    st.lastRun = Date.now();
    try {
      const sockets = await io.in(room).fetchSockets();
      const users = presenceUsers(sockets.map((s) => s.data?.user));
      const key = JSON.stringify(users);
      // nobody is left to tell; a confirmation that agrees with our last answer says nothing new
      if (!stopped && users.length > 0 && !(confirming && key === st.lastEmitted)) {
        io.to(room).emit('presence', { ...roomObject(room), users });
      }
      st.lastEmitted = users.length > 0 ? key : null;
      st.failures = 0;
    } catch (err) {
      // another instance did not answer in time (or the adapter's Redis is away): try a few times
      // more, then leave it to the next change (presence is a hint, never worth a retry storm)
      d.log.warn('presence: could not list a room', (err as Error).message);
      st.failures += 1;
      if (st.failures <= MAX_RETRIES) st.dirty = true;
    } finally {
      st.running = false;
    }
    if (stopped) return;
    if (st.dirty) {
      schedule(room, st, Math.max(0, st.lastRun + minInterval - Date.now()));
    } else if (!confirming) {
      st.confirming = true;
      schedule(room, st, confirmMs);
    } else {
      // settled: forget the room once the interval has passed (a change before that waits for it)
      st.timer = setTimeout(() => {
        st.timer = null;
        if (!st.running && !st.dirty && rooms.get(room) === st) rooms.delete(room);
      }, minInterval);
      st.timer.unref?.();
    }
  }

  /** The object exists and lies in the user's scope; false when the store cannot tell (it is away). */
  async function mayView(user: PublicUser, v: View): Promise<boolean> {
    try {
      const obj = await readObject<{ jurisdiction?: unknown }>(d.redis, keys.object(v.objectKind, v.objectId));
      const chain = obj?.jurisdiction;
      return Array.isArray(chain) && inScope(user, chain as string[]);
    } catch {
      return false; // not shown as viewing; the client announces its view again on its next connect
    }
  }

  function track(socket: PresenceSocket): void {
    let current: string | null = null;
    /** the latest `view` wins, even when the store answers an earlier one later */
    let generation = 0;

    const leave = () => {
      if (current === null) return;
      const room = current;
      current = null;
      void socket.leave(room);
      changed(room);
    };

    const onView = async (raw: unknown) => {
      if (raw === null) {
        generation++;
        leave();
        return;
      }
      const v = viewSchema.safeParse(raw);
      if (!v.success) return; // malformed: ignored, the current view (or one being checked) stays
      // a later valid view supersedes one still being checked, even a view of the current object
      const mine = ++generation;
      const room = presenceRoom(v.data.objectKind, v.data.objectId);
      if (room === current) return;
      const visible = await mayView(socket.data.user, v.data);
      if (mine !== generation || !socket.connected) return;
      // the viewer moved on from its previous object either way; it joins only what it may see
      leave();
      if (!visible) return;
      current = room;
      void socket.join(room);
      changed(room);
    };

    socket.on('view', (raw: unknown) => {
      void onView(raw).catch((err: unknown) => d.log.warn('presence: view failed', (err as Error).message));
    });
    socket.on('disconnect', () => {
      generation++;
      // Socket.IO has already left every room; the others in it must learn
      if (current !== null) changed(current);
      current = null;
    });
  }

  return {
    track,
    stop() {
      stopped = true;
      for (const st of rooms.values()) if (st.timer !== null) clearTimeout(st.timer);
      rooms.clear();
    },
  };
}
