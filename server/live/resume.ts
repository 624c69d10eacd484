import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import { LIVE, type ClientToServerEvents, type EventsFrame, type ResyncReason, type ServerToClientEvents } from '../../shared/live.js';
import { compareSeq, isSeq } from '../../shared/seq.js';
import { keys } from '../store/keys.js';
import { lastSeq as readLastSeq, readRange } from '../store/log.js';
import type { LiveHub } from './hub.js';
import { roomView, visibleEntries } from './rooms.js';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface ResumeDeps {
  redis: Redis;
  hub: LiveHub;
  logEpoch: string;
}

/**
 * Where the retained log starts: its first entry, and whether any entry was ever removed from it.
 * Redis 7 updates `max-deleted-entry-id` on XDEL only, never when XADD MINID or XTRIM trims, so the
 * first retained entry is the bound; `entries-added` above `length` tells that something was
 * trimmed (without that field, assume it was).
 */
async function retainedFrom(redis: Redis): Promise<{ first: string | null; trimmed: boolean }> {
  try {
    const info = (await redis.call('XINFO', 'STREAM', keys.log)) as unknown[];
    const field = (name: string) => {
      const i = info.indexOf(name);
      return i >= 0 ? info[i + 1] : undefined;
    };
    const first = (field('first-entry') as [string, string[]] | null | undefined)?.[0] ?? null;
    return { first, trimmed: !(Number(field('entries-added')) <= Number(field('length'))) };
  } catch {
    return { first: null, trimmed: false }; // no stream yet
  }
}

/** Why this lastSeq cannot be resumed, or null when it can. */
export async function resyncReason(d: ResumeDeps, lastSeq: unknown, epoch: unknown): Promise<ResyncReason | null> {
  if (typeof lastSeq !== 'string' || !isSeq(lastSeq)) return 'malformed_last_seq';
  if (epoch !== d.logEpoch) return 'epoch_changed';
  const [head, kept] = await Promise.all([readLastSeq(d.redis), retainedFrom(d.redis)]);
  if (compareSeq(lastSeq, head ?? '0-0') > 0) return 'ahead_of_log';
  if (kept.trimmed && kept.first !== null && compareSeq(lastSeq, kept.first) < 0) return 'behind_retention';
  return null;
}

/** Sockets resuming the same room from the same lastSeq within this window share one catch-up. */
const GROUP_WINDOW_MS = 20;

interface Group {
  sockets: LiveSocket[];
  result: Promise<ResyncReason | null>;
}

const pending = new WeakMap<LiveHub, Map<string, Group>>();

/**
 * DESIGN §5 resume: send the visible entries after lastSeq up to this instance's delivered
 * position P in frames of at most 500, repeat until P is reached, and join the delivery room in
 * the same tick as that last check — no gap, no duplicate. A lastSeq beyond P (another instance
 * delivered further) waits until this instance's tail passes it.
 *
 * After a network blip a crowd of clients resumes from the same heartbeat position: those that
 * arrive within a few milliseconds of each other share one read and one encoding of each frame.
 */
export function resume(d: ResumeDeps, socket: LiveSocket, room: string, lastSeq: string): Promise<ResyncReason | null> {
  let groups = pending.get(d.hub);
  if (!groups) pending.set(d.hub, (groups = new Map()));
  const key = `${room}|${lastSeq}`;
  const open = groups.get(key);
  if (open) {
    open.sockets.push(socket);
    return open.result;
  }
  const sockets = [socket];
  const result = new Promise<void>((r) => setTimeout(r, GROUP_WINDOW_MS)).then(() => {
    groups.delete(key);
    return catchUp(d, sockets, room, lastSeq);
  });
  groups.set(key, { sockets, result });
  return result;
}

async function catchUp(d: ResumeDeps, group: LiveSocket[], room: string, lastSeq: string): Promise<ResyncReason | null> {
  const view = roomView(room);
  const alive = () => group.filter((s) => s.connected);
  let cursor = lastSeq;
  let read = 0;
  // frames are held until the catch-up is known to stay within LIVE.maxBehind: a client that
  // must resync anyway is not sent megabytes first
  const frames: EventsFrame[] = [];
  for (;;) {
    const sockets = alive();
    if (sockets.length === 0) return null;
    const head = d.hub.headSeq;
    if (head === null || compareSeq(cursor, head) >= 0) {
      // one broadcast per frame: encoded once for the whole group, never through the adapter
      const to = sockets[0]!.nsp.local.to(sockets.map((s) => s.id));
      for (const f of frames) to.emit('events', f);
      if (head !== null && compareSeq(cursor, head) > 0) {
        await Promise.all(sockets.map((s) => waitForTail(d, s, room, cursor)));
        return null;
      }
      for (const s of sockets) s.join(room);
      return null;
    }
    const entries = d.hub.recent.readAfter(cursor, head, LIVE.resumePage) ?? (await readRange(d.redis, `(${cursor}`, head, LIVE.resumePage));
    read += entries.length;
    if (read > LIVE.maxBehind) return 'too_far_behind';
    cursor = entries.length ? entries[entries.length - 1]!.seq : head;
    const events = visibleEntries(view, entries);
    const last = frames[frames.length - 1];
    // an invisible page still moves the client's resume point
    if (events.length === 0 && last && last.events.length === 0) last.headSeq = cursor;
    else frames.push({ events, headSeq: cursor });
  }
}

/** Joins once the tail passes `cursor`, sending the part of that batch after it. */
function waitForTail(d: ResumeDeps, socket: LiveSocket, room: string, cursor: string): Promise<null> {
  return new Promise((resolve) => {
    const stop = d.hub.wait((entries, headSeq) => {
      if (socket.disconnected) {
        resolve(null);
        return true;
      }
      if (compareSeq(headSeq, cursor) < 0) return false;
      const after = entries.filter((e) => compareSeq(e.seq, cursor) > 0);
      const events = visibleEntries(roomView(room), after);
      if (events.length) socket.emit('events', { events, headSeq });
      socket.join(room);
      resolve(null);
      return true;
    });
    socket.once('disconnect', () => {
      stop();
      resolve(null);
    });
  });
}
