import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { LIVE, type ClientToServerEvents, type LivePosition, type ServerToClientEvents } from '../../shared/live.js';
import type { Entry, Unit } from '../../shared/objects.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import { POSITIONS_CHANNEL, type PublishedFix } from '../telemetry/positions.js';
import type { LogTail } from './log-tail.js';
import { isDeliveryRoom, roomView, sees } from './rooms.js';

const TICKS_PER_SECOND = Math.round(LIVE.positionsPerUnitMs / LIVE.positionsFlushMs);

/** A stable phase for a unit: a small string hash modulo the ticks per second. */
function phaseOf(unitId: string): number {
  let h = 0;
  for (let i = 0; i < unitId.length; i++) h = (h * 31 + unitId.charCodeAt(i)) | 0;
  return Math.abs(h) % TICKS_PER_SECOND;
}

type IO = Server<ClientToServerEvents, ServerToClientEvents>;
interface UnitInfo {
  chain: string[];
  status: Unit['status'] | null;
}

/**
 * Relays positions from the telemetry path to this instance's sockets: at most one fix per unit
 * per second, at most one frame per delivery room every 250 ms, volatile. A unit is visible in
 * its owning jurisdiction and in the one where it is now.
 */
export class PositionsRelay {
  private readonly pending = new Map<string, PublishedFix>();
  /** tick index of each unit's last send */
  private readonly lastSent = new Map<string, number>();
  private ticks = 0;
  private readonly units = new Map<string, UnitInfo>();
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly io: IO, private readonly sub: Redis, private readonly redis: Redis, private readonly tree: JurisdictionTree, private readonly tail: LogTail) {}

  async start(): Promise<void> {
    this.sub.on('message', (_ch: string, msg: string) => this.receive(msg));
    await this.sub.subscribe(POSITIONS_CHANNEL);
    // unit status and home change through the log: forget the cached info
    this.unsubscribe = this.tail.onEntries((entries) => this.invalidate(entries));
    this.timer = setInterval(() => void this.flush(), LIVE.positionsFlushMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.sub.disconnect();
  }

  private receive(msg: string): void {
    try {
      for (const f of JSON.parse(msg) as PublishedFix[]) {
        const prev = this.pending.get(f[0]);
        if (!prev || prev[1] < f[1]) this.pending.set(f[0], f);
      }
    } catch {
      /* a malformed message is dropped: positions are volatile */
    }
  }

  private invalidate(entries: Entry[]): void {
    for (const e of entries) for (const a of e.affects) if (a.kind === 'unit') this.units.delete(a.id);
  }

  private async flush(): Promise<void> {
    // ticks are counted, not read off the clock: rounding a jittery timer to a time grid can skip
    // a unit's slot and hold its fix a whole tick longer
    const index = this.ticks++;
    if (this.flushing || this.pending.size === 0) return;
    this.flushing = true;
    try {
      const due: PublishedFix[] = [];
      for (const [id, f] of this.pending) {
        const since = index - (this.lastSent.get(id) ?? -Infinity);
        if (since < TICKS_PER_SECOND) continue;
        // each unit has a phase among the ticks of a second, so a fleet that reports together
        // goes out in four smaller frames, not one large one; a unit that missed its slot goes now
        if (since === TICKS_PER_SECOND && index % TICKS_PER_SECOND !== phaseOf(id)) continue;
        due.push(f);
        this.pending.delete(id);
        this.lastSent.set(id, index);
      }
      if (due.length === 0) return;
      await this.loadUnits(due.map((f) => f[0]));
      const rooms = [...this.io.of('/').adapter.rooms.keys()].filter(isDeliveryRoom);
      const items = due.map((f) => {
        const info = this.units.get(f[0]);
        const here = this.tree.locate(f[2], f[3], 0)?.chain ?? [];
        const pos: LivePosition = { unitId: f[0], lat: f[2], lon: f[3], speed: f[4], heading: f[5], status: info?.status ?? null, at: new Date(f[1]).toISOString() };
        return { pos, home: info?.chain ?? [], here };
      });
      for (const room of rooms) {
        const view = roomView(room);
        const units = items.filter((i) => sees(view, i.home, i.here)).map((i) => i.pos);
        if (units.length) this.io.local.to(room).volatile.emit('positions', { units });
      }
    } catch {
      /* Redis hiccup: the next flush retries with newer fixes */
    } finally {
      this.flushing = false;
    }
  }

  private async loadUnits(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.units.has(id));
    if (missing.length === 0) return;
    const objs = await readObjects<Unit>(this.redis, missing.map((id) => keys.object('unit', id)));
    for (const id of missing) {
      const u = objs.get(keys.object('unit', id));
      this.units.set(id, { chain: u?.jurisdiction ?? [], status: u?.status ?? null });
    }
  }
}
