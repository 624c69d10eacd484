import type { Server } from 'socket.io';
import type { Entry } from '../../shared/objects.js';
import { LIVE, type ClientToServerEvents, type EventsFrame, type ServerToClientEvents } from '../../shared/live.js';
import { compareSeq } from '../../shared/seq.js';
import type { LogTail } from './log-tail.js';
import { RecentEntries } from './recent.js';
import { isDeliveryRoom, roomView, visibleEntries } from './rooms.js';

type IO = Server<ClientToServerEvents, ServerToClientEvents>;

/** Called after a batch was flushed to the rooms; returns true when done waiting. */
type Waiter = (entries: Entry[], headSeq: string) => boolean;

/**
 * Delivers the log to this instance's sockets: one frame per local delivery room per tail read,
 * filtered and encoded once per room; heartbeats on quiet rooms. Resumes that wait for the tail
 * run right after a batch is flushed, so a joining socket never misses or repeats an entry.
 */
export class LiveHub {
  private readonly lastFrameAt = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** what resumes read instead of Redis when they can */
  recent: RecentEntries = new RecentEntries(null, LIVE.maxBehind);

  constructor(private readonly io: IO, private readonly tail: LogTail, private readonly degraded: () => string[]) {}

  start(): void {
    this.recent = new RecentEntries(this.tail.headSeq, LIVE.maxBehind);
    this.unsubscribe = this.tail.onEntries((entries, head) => this.flush(entries, head));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  /** This instance's delivered position. */
  get headSeq(): string | null {
    return this.tail.headSeq;
  }

  /** Runs `w` after every flushed batch until it returns true. */
  wait(w: Waiter): () => void {
    this.waiters.add(w);
    return () => this.waiters.delete(w);
  }

  private rooms(): string[] {
    return [...this.io.of('/').adapter.rooms.keys()].filter(isDeliveryRoom);
  }

  private flush(entries: Entry[], headSeq: string): void {
    this.recent.add(entries);
    const now = Date.now();
    for (const room of this.rooms()) {
      const events = visibleEntries(roomView(room), entries);
      if (events.length === 0) continue;
      this.emit(room, { events, headSeq }, now);
    }
    for (const w of [...this.waiters]) if (w(entries, headSeq)) this.waiters.delete(w);
  }

  private emit(room: string, frame: EventsFrame, now: number): void {
    this.io.local.to(room).emit('events', frame);
    this.lastFrameAt.set(room, now);
  }

  /** Heartbeats for rooms quiet for a while, and cutting off sockets that cannot keep up. */
  private tick(): void {
    const now = Date.now();
    const degraded = this.degraded();
    for (const room of this.rooms()) {
      if (now - (this.lastFrameAt.get(room) ?? 0) < LIVE.heartbeatMs - 1000) continue;
      this.emit(room, { events: [], headSeq: this.headSeq, ...(degraded.length ? { degraded } : {}) }, now);
    }
    for (const room of this.lastFrameAt.keys()) if (!this.io.of('/').adapter.rooms.has(room)) this.lastFrameAt.delete(room);
    for (const socket of this.io.of('/').sockets.values()) {
      if (bufferedBytes(socket.conn) <= LIVE.maxBufferedBytes) continue;
      socket.disconnect(true);
      // drop what is queued (it resumes from lastSeq): a plain close waits for a drain that never comes
      socket.conn.close(true);
    }
  }
}

/**
 * Bytes queued for a socket: what ws has not yet handed to the kernel, plus engine.io's write
 * buffer, where every packet waits while ws is still writing the previous flush (a peer that stops
 * reading leaves ws stuck at one flush and the rest piling up there).
 */
export function bufferedBytes(conn: unknown): number {
  const c = conn as { writeBuffer?: { data?: unknown }[]; transport?: { socket?: { bufferedAmount?: number } } };
  let n = c.transport?.socket?.bufferedAmount ?? 0;
  for (const p of c.writeBuffer ?? []) {
    if (typeof p.data === 'string') n += Buffer.byteLength(p.data);
    else if (p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data)) n += p.data.byteLength;
  }
  return n;
}

export const seqAfter = (a: string, b: string | null) => b === null || compareSeq(a, b) > 0;
