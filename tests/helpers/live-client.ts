import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, EventsFrame, Hello, PositionsFrame, Resync, ServerToClientEvents } from '../../shared/live.js';
import type { Entry } from '../../shared/objects.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io-client as a browser on `url` would connect, recording everything it receives. */
export interface Recorder {
  socket: LiveSocket;
  hello: Hello | null;
  frames: EventsFrame[];
  positions: PositionsFrame[];
  resyncs: Resync[];
  errors: { message: string; code?: string }[];
  /** entries received, in arrival order */
  entries(): Entry[];
  /** the current lastSeq the client would resume from (headSeq of the last frame) */
  lastSeq: string | undefined;
  logEpoch: string | undefined;
  close(): void;
}

export function connectLive(
  url: string, cookie: string,
  opts: { lastSeq?: string; logEpoch?: string; origin?: string; autoConnect?: boolean; reconnection?: boolean; extraAuth?: Record<string, unknown> } = {},
): Recorder {
  const rec: Recorder = {
    socket: null as unknown as LiveSocket, hello: null, frames: [], positions: [], resyncs: [], errors: [],
    entries: () => rec.frames.flatMap((f) => f.events),
    lastSeq: opts.lastSeq, logEpoch: opts.logEpoch,
    close: () => rec.socket.close(),
  };
  rec.socket = io(url, {
    path: '/socket.io', transports: ['websocket'], reconnection: opts.reconnection ?? false, autoConnect: opts.autoConnect ?? true,
    extraHeaders: { cookie, origin: opts.origin ?? url },
    // extraAuth: fields a forging client adds to its handshake (the server must ignore them)
    auth: (cb) => cb({ ...opts.extraAuth, ...(rec.lastSeq ? { lastSeq: rec.lastSeq } : {}), ...(rec.logEpoch ? { logEpoch: rec.logEpoch } : {}) }),
  });
  rec.socket.on('hello', (h) => { rec.hello = h; rec.logEpoch = h.logEpoch; });
  rec.socket.on('events', (f) => { rec.frames.push(f); if (f.headSeq) rec.lastSeq = f.headSeq; });
  rec.socket.on('positions', (f) => rec.positions.push(f));
  rec.socket.on('resync', (r) => rec.resyncs.push(r));
  rec.socket.on('connect_error', (e) => rec.errors.push({ message: e.message, code: (e as { data?: { code?: string } }).data?.code }));
  return rec;
}

/** Polls until `fn` is true or the deadline passes. */
export async function until(fn: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
