// Recent unit trails (DESIGN §9): per unit, a ring of the last fixes received, sampled and capped,
// in typed arrays allocated up front, so that 2,000 units reporting at 1 Hz for weeks (the wall)
// never grow the heap: a fix overwrites the oldest point of its unit's ring, a unit that leaves
// gives its slot back for the next one. No Vue, no DOM: the units store feeds it, the unit layer reads it.

/** Trails reach back this far (the server's GET /units/:id/trail keeps the same 10 minutes). */
export const TRAIL_MAX_AGE_MS = 10 * 60_000;
/** A unit's trail takes at most one point this often (fixes arrive at about 1 Hz). */
export const TRAIL_MIN_GAP_MS = 10_000;
/** Points kept per unit: 10 minutes at one point per 10 s, and a few to spare. */
export const TRAIL_POINTS = 64;

export interface TrailOptions {
  /** points per unit (the ring's size) */
  capacity?: number;
  /** the least time between two points of a unit, ms */
  minGapMs?: number;
  /** points older than this (against `now` when read) are not answered, ms */
  maxAgeMs?: number;
  /** units with a slot before the arrays first grow */
  initialUnits?: number;
}

const MAX_LAT = 85.0511287798;

/** Web Mercator x of a longitude, as a fraction of the world's width (Leaflet's EPSG:3857 at zoom 0 ÷ 256). */
export const mercatorX = (lon: number) => (lon + 180) / 360;

/** Web Mercator y of a latitude, as a fraction of the world's height, from the top. */
export function mercatorY(lat: number): number {
  const s = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}

/**
 * Trails of many units in shared rings: slot `s` owns points `s * capacity` to `(s + 1) * capacity − 1`
 * of three Float64Arrays (Mercator x and y as fractions of the world, so that drawing a trail at any
 * zoom is a multiplication; the fix's time in ms). The arrays grow (doubling) only when more units
 * than ever before hold a trail at once.
 */
export class TrailBuffer {
  readonly capacity: number;
  readonly minGapMs: number;
  readonly maxAgeMs: number;
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private slotCount: number;
  private xs: Float64Array;
  private ys: Float64Array;
  private ts: Float64Array;
  /** per slot: where its next point goes, and how many it holds */
  private heads: Int32Array;
  private lens: Int32Array;
  /** bumped on every change (a point taken, a trail dropped, all cleared) */
  version = 0;

  constructor(o: TrailOptions = {}) {
    this.capacity = Math.max(2, Math.floor(o.capacity ?? TRAIL_POINTS));
    this.minGapMs = o.minGapMs ?? TRAIL_MIN_GAP_MS;
    this.maxAgeMs = o.maxAgeMs ?? TRAIL_MAX_AGE_MS;
    this.slotCount = Math.max(1, Math.floor(o.initialUnits ?? 256));
    const n = this.slotCount * this.capacity;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.ts = new Float64Array(n);
    this.heads = new Int32Array(this.slotCount);
    this.lens = new Int32Array(this.slotCount);
    for (let s = this.slotCount - 1; s >= 0; s--) this.free.push(s);
  }

  /** Units holding a trail. */
  get size(): number {
    return this.slots.size;
  }

  /** Slots the arrays have room for (grows only past the most units ever held at once). */
  get allocatedUnits(): number {
    return this.slotCount;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /**
   * Offers a unit's fix (`at`: ms). Taken when it is at least `minGapMs` after the unit's last point
   * (so older, repeated or too frequent fixes are not); the ring's oldest point makes room when full.
   * Answers whether it was taken.
   */
  record(id: string, lat: number, lon: number, at: number): boolean {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || !Number.isFinite(at)) return false;
    let s = this.slots.get(id);
    if (s === undefined) {
      s = this.take();
      this.slots.set(id, s);
    } else if (this.lens[s]! > 0) {
      const last = this.ts[s * this.capacity + ((this.heads[s]! + this.capacity - 1) % this.capacity)]!;
      if (at - last < this.minGapMs) return false;
      // a unit back after a long silence starts a new trail: no line across the gap
      if (at - last > this.maxAgeMs) this.lens[s] = 0;
    }
    const i = s * this.capacity + this.heads[s]!;
    this.xs[i] = mercatorX(lon);
    this.ys[i] = mercatorY(lat);
    this.ts[i] = at;
    this.heads[s] = (this.heads[s]! + 1) % this.capacity;
    if (this.lens[s]! < this.capacity) this.lens[s] = this.lens[s]! + 1;
    this.version++;
    return true;
  }

  /**
   * Writes a unit's points no older than `maxAgeMs` at `now` into `out` as (x, y, t) triples from
   * `offset`, oldest first (x and y: Mercator fractions of the world); answers how many.
   * `out` needs room for `capacity` triples.
   */
  read(id: string, now: number, out: Float64Array, offset = 0): number {
    const s = this.slots.get(id);
    if (s === undefined) return 0;
    const cap = this.capacity;
    const len = this.lens[s]!;
    const base = s * cap;
    const first = (this.heads[s]! + cap - len) % cap;
    const oldest = now - this.maxAgeMs;
    let n = 0;
    for (let k = 0; k < len; k++) {
      const i = base + ((first + k) % cap);
      const t = this.ts[i]!;
      if (t < oldest) continue;
      const o = offset + n * 3;
      out[o] = this.xs[i]!;
      out[o + 1] = this.ys[i]!;
      out[o + 2] = t;
      n++;
    }
    return n;
  }

  /** Forgets a unit's trail; its slot serves the next unit. */
  drop(id: string): boolean {
    const s = this.slots.get(id);
    if (s === undefined) return false;
    this.slots.delete(id);
    this.lens[s] = 0;
    this.heads[s] = 0;
    this.free.push(s);
    this.version++;
    return true;
  }

  /** Keeps the trails of the units `keep` answers true for; answers how many were dropped. */
  retain(keep: (id: string) => boolean): number {
    let n = 0;
    for (const id of this.slots.keys()) if (!keep(id) && this.drop(id)) n++;
    return n;
  }

  /** Forgets every trail (the arrays stay, for the units to come). */
  clear(): void {
    this.slots.clear();
    this.free.length = 0;
    this.lens.fill(0);
    this.heads.fill(0);
    for (let s = this.slotCount - 1; s >= 0; s--) this.free.push(s);
    this.version++;
  }

  private take(): number {
    if (!this.free.length) this.grow();
    return this.free.pop()!;
  }

  /** Doubles the slots: the only allocation after construction, and only past the most units ever held. */
  private grow(): void {
    const before = this.slotCount;
    const after = before * 2;
    const n = after * this.capacity;
    const widen = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.xs = widen(this.xs);
    this.ys = widen(this.ys);
    this.ts = widen(this.ts);
    const heads = new Int32Array(after);
    heads.set(this.heads);
    const lens = new Int32Array(after);
    lens.set(this.lens);
    this.heads = heads;
    this.lens = lens;
    this.slotCount = after;
    for (let s = after - 1; s >= before; s--) this.free.push(s);
  }
}
