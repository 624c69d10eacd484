/**
 * The terminals' connection to the server: the live protocol (DESIGN §5) with the simulator's
 * machine token, and REST reads (GET /units, GET /incidents/:id) with the same token. Thin: it
 * turns log entries into terminal commands (terminals.ts decides what they mean) and hands
 * them over in log order.
 *
 * Resume and resync: every reconnect carries the current lastSeq (the last frame's headSeq) and
 * logEpoch, so the server resumes without a gap. When it asks for a resync instead, the link
 * takes a snapshot of our units over REST (GET /units: status, incident, asOfSeq, logEpoch),
 * which both ends jobs the server no longer holds and picks up dispatches it missed, then
 * reconnects from that snapshot's asOfSeq. The first connection starts the same way.
 */
import { io, type Socket } from 'socket.io-client';
import { LIVE, type ClientToServerEvents, type EventsFrame, type Hello, type ServerToClientEvents } from '../../shared/live.js';
import { abortableSleep, backoffMs } from './http-retry.js';
import { type DispatchedIncident, readEntry, type SnapshotUnit, type TerminalCommand } from './terminals.js';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TerminalLinkOptions {
  /** Base URL of the server */
  target: string;
  /** the machine token (`pgt_…`) */
  token: string;
  /** True for the simulator's own units (the only ones it answers for) */
  owns: (unitId: string) => boolean;
  /** Receives commands in log order; called synchronously, never concurrently */
  deliver: (commands: TerminalCommand[]) => void;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  /** cap of the waits between retries (REST and manual reconnects) */
  maxBackoffMs?: number;
}

export interface TerminalLinkStats {
  connected: boolean;
  connects: number;
  frames: number;
  entries: number;
  commands: number;
  resyncs: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class TerminalLink {
  hello: Hello | null = null;
  /** where a reconnect resumes: the headSeq of the last frame (or of the snapshot) */
  lastSeq: string | undefined;
  logEpoch: string | undefined;
  readonly stats: TerminalLinkStats = { connected: false, connects: 0, frames: 0, entries: 0, commands: 0, resyncs: 0 };
  private socket: LiveSocket | undefined;
  /** entries are handled one frame after another: a dispatch's incident read must not be overtaken */
  private queue: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();
  private readonly base: string;
  private readonly log: (line: string) => void;
  private readonly fetchImpl: typeof fetch;
  private resyncing = false;
  private failures = 0;

  constructor(private readonly opts: TerminalLinkOptions) {
    this.base = opts.target.replace(/\/+$/, '');
    this.log = opts.log ?? ((line) => console.log(line));
    this.fetchImpl = opts.fetch ?? fetch;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** Snapshot, then connect; resolves once the first snapshot is in (the socket connects on its own). */
  async start(): Promise<void> {
    this.resync('start');
    await this.queue;
  }

  /** Closes the socket and abandons retries; commands not yet delivered are dropped. */
  stop(): void {
    this.controller.abort();
    this.socket?.close();
    this.socket = undefined;
    this.stats.connected = false;
  }

  /** Resolves when every frame received so far has been handed over (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      if (!this.stopped) this.log(`[sim] terminals: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Drops the socket, reloads the snapshot and reconnects from its asOfSeq. */
  private resync(reason: string): void {
    if (this.resyncing || this.stopped) return;
    this.resyncing = true;
    if (reason !== 'start') {
      this.stats.resyncs++;
      this.log(`[sim] terminals: resync (${reason}); reloading our units`);
    }
    this.socket?.close();
    this.socket = undefined;
    this.stats.connected = false;
    this.enqueue(async () => {
      try {
        const snap = await this.snapshot();
        if (!snap || this.stopped) return;
        this.lastSeq = snap.asOfSeq ?? undefined;
        this.logEpoch = snap.logEpoch ?? undefined;
        this.connect();
      } finally {
        this.resyncing = false;
      }
    });
  }

  /** GET /units: ends jobs the server no longer holds, picks up dispatches the feed did not bring. */
  private async snapshot(): Promise<{ asOfSeq: string | null; logEpoch: string | null } | null> {
    const body = await this.getJson('/units', { forever: true }) as {
      items?: { id?: unknown; status?: unknown; incidentId?: unknown }[]; asOfSeq?: string | null; logEpoch?: string | null;
    } | null;
    if (!body) return null;
    const own: SnapshotUnit[] = (body.items ?? []).flatMap((u) => (typeof u.id === 'string' && this.opts.owns(u.id)
      ? [{ unitId: u.id, status: String(u.status), incidentId: typeof u.incidentId === 'string' ? u.incidentId : null }] : []));
    const commands: TerminalCommand[] = [{ kind: 'snapshot', units: own }];
    for (const u of own) {
      if (u.status === 'dispatched' && u.incidentId) commands.push(await this.dispatched(u.unitId, u.incidentId));
    }
    this.handOver(commands);
    return { asOfSeq: body.asOfSeq ?? null, logEpoch: body.logEpoch ?? null };
  }

  private connect(): void {
    const socket: LiveSocket = io(this.base, {
      path: LIVE.path,
      transports: ['websocket'],
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
      // a function, so that every reconnect carries the position reached by then
      auth: (cb) => cb({
        token: this.opts.token,
        ...(this.lastSeq ? { lastSeq: this.lastSeq } : {}),
        ...(this.logEpoch ? { logEpoch: this.logEpoch } : {}),
      }),
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.failures = 0;
      this.stats.connected = true;
      this.stats.connects++;
    });
    socket.on('hello', (h) => {
      this.hello = h;
      // without lastSeq the server joined us live from its delivered position
      if (this.lastSeq === undefined && h.headSeq) this.lastSeq = h.headSeq;
      if (this.stats.connects === 1) this.log(`[sim] terminals: connected as ${h.user.username} (${h.user.roles.join(',')})`);
    });
    socket.on('events', (f) => this.frame(f));
    socket.on('resync', (r) => this.resync(r.reason));
    socket.on('disconnect', (reason) => {
      this.stats.connected = false;
      // the server hung up (revocation, a full send buffer): socket.io-client leaves it to us
      if (reason === 'io server disconnect' && this.socket === socket && !this.resyncing) this.reconnectLater(socket);
    });
    socket.on('connect_error', (err) => {
      const code = (err as { data?: { code?: string } }).data?.code;
      if (code === 'forbidden') {
        this.log('[sim] terminals: this token may not read the live feed; terminals are off');
        socket.close();
        return;
      }
      // refusals by the server's middleware are not retried by socket.io-client itself
      if (!socket.active && this.socket === socket) this.reconnectLater(socket, code ?? err.message);
    });
  }

  private reconnectLater(socket: LiveSocket, why?: string): void {
    const wait = backoffMs(this.failures++, this.opts.maxBackoffMs ?? 30_000);
    if (why && (this.failures === 1 || (this.failures & (this.failures - 1)) === 0)) {
      this.log(`[sim] terminals: connection refused (${why}); retrying in ${(wait / 1000).toFixed(1)} s`);
    }
    void abortableSleep(wait, this.controller.signal).then(() => {
      if (!this.stopped && this.socket === socket && !socket.connected) socket.connect();
    });
  }

  private frame(f: EventsFrame): void {
    this.stats.frames++;
    if (f.headSeq) this.lastSeq = f.headSeq;
    if (f.events.length === 0) return;
    this.stats.entries += f.events.length;
    const read = f.events.flatMap((e) => readEntry(e, this.opts.owns));
    if (read.length === 0) return;
    this.enqueue(async () => {
      const out: TerminalCommand[] = [];
      for (const c of read) out.push(c.kind === 'dispatched' ? await this.dispatched(c.unitId, c.incidentId) : c);
      this.handOver(out);
    });
  }

  private handOver(commands: TerminalCommand[]): void {
    if (commands.length === 0 || this.stopped) return;
    this.stats.commands += commands.length;
    this.opts.deliver(commands);
  }

  /** A dispatch with what the terminal needs of the incident (where, what); without it when unreadable. */
  private async dispatched(unitId: string, incidentId: string): Promise<TerminalCommand> {
    const body = await this.getJson(`/incidents/${encodeURIComponent(incidentId)}`, { forever: false }).catch(() => null) as {
      location?: { lat: number; lon: number } | null; category?: unknown; priority?: unknown;
    } | null;
    if (!body) return { kind: 'dispatched', unitId, incidentId };
    const incident: DispatchedIncident = {
      location: body.location ?? null,
      category: typeof body.category === 'string' ? body.category : 'other',
      priority: typeof body.priority === 'number' ? body.priority : 3,
    };
    return { kind: 'dispatched', unitId, incidentId, incident };
  }

  /**
   * GET under /api/v1 with the token. Network errors and 5xx are retried (forever, or a few
   * times); 404 answers null; other 4xx throw. Null as well when stopped.
   */
  private async getJson(path: string, opts: { forever: boolean }): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return null;
      let failure: string;
      try {
        const res = await this.fetchImpl(`${this.base}/api/v1${path}`, {
          headers: { authorization: `Bearer ${this.opts.token}`, accept: 'application/json' },
          signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(15_000)]),
        });
        if (res.ok) return await res.json();
        await res.body?.cancel().catch(() => undefined);
        if (res.status === 404) return null;
        if (res.status < 500 && res.status !== 429) throw new HttpError(res.status, `GET ${path} answered ${res.status}`);
        failure = `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof HttpError && !opts.forever) throw err;
        failure = err instanceof Error ? err.message : String(err);
      }
      if (this.stopped) return null;
      if (!opts.forever && attempt >= 4) throw new Error(`GET ${path}: ${failure}`);
      const wait = backoffMs(attempt, this.opts.maxBackoffMs ?? 30_000);
      if (attempt === 0 || (attempt & (attempt - 1)) === 0) this.log(`[sim] terminals: GET ${path} failed (${failure}); retrying in ${(wait / 1000).toFixed(1)} s`);
      await abortableSleep(wait, this.controller.signal);
    }
  }
}
