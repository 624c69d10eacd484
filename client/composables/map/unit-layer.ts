import * as L from 'leaflet';
import type { Unit } from '../../../shared/objects.js';
import { mercatorX, mercatorY } from '../../stores/trails.js';
import { STALE_FIX_MS } from '../../stores/units.js';
import { HitGrid, inView } from './cluster-math.js';
import { STALE_COLOR, UNIT_STATUS_COLORS } from './colors.js';
import {
  drawFrame, FRAME_STRIDE, headingColumn, lookKey, packTrail, SpriteCache, TRAIL_HEADER, TRAIL_POINT, trailStep, trailWidth,
  type FromUnitWorker, type ToUnitWorker, type TrailView, type UnitFrame, type UnitLook,
} from './unit-sprites.js';

export const isStale = (u: Unit, now: number) => !u.lastFix || now - Date.parse(u.lastFix.at) > STALE_FIX_MS;

/** Arrow size by zoom: smaller city-wide, where 2,000 of them share the screen; `scale`: the marker scale (2 on a 4K wall). */
export const unitRadius = (zoom: number, scale = 1) => (zoom < 12.5 ? 5 : zoom < 13.5 ? 6.5 : 8) * scale;

/** Where the unit layer finds the recent trails (the units store's TrailBuffer). */
export interface TrailSource {
  readonly size: number;
  readonly capacity: number;
  readonly maxAgeMs: number;
  /** a unit's points no older than `maxAgeMs` at `now`, as (Mercator x, Mercator y, ms) triples, oldest first; answers how many */
  read(id: string, now: number, out: Float64Array): number;
}

interface Shown {
  id: string;
  obj: Unit;
  lat: number;
  lon: number;
  /** Web Mercator position as fractions of the world (projected once per fix, not once per frame) */
  mx: number;
  my: number;
  heading: number | null;
  /** ms of the last fix */
  fixAt: number;
  stale: boolean;
}

/** A unit's look: its status colour, grey when stale; off duty hollow. */
const lookOf = (u: Unit, stale: boolean): UnitLook => ({
  fill: stale ? STALE_COLOR : UNIT_STATUS_COLORS[u.status],
  // off duty: hollow, present but not part of the picture
  fillAlpha: u.status === 'off_duty' && !stale ? 0.2 : 1,
  stroke: u.status === 'off_duty' && !stale ? '#8ea3bf' : '#041024',
});

interface MapInternals {
  _latLngBoundsToNewLayerBounds(b: L.LatLngBounds, zoom: number, center: L.LatLng): L.Bounds;
}

/** Frame buffers kept for reuse, per kind (the worker hands each frame's back). */
const POOL = 2;

/** A buffer of at least `n` values from a pool, or a new one with room to spare. */
function takeBuffer(pool: Float32Array[], n: number): Float32Array {
  while (pool.length) {
    const b = pool.pop()!;
    if (b.length >= n) return b;
  }
  return new Float32Array(Math.max(64, Math.ceil(n * 1.25)));
}

function giveBack(pool: Float32Array[], b: Float32Array): void {
  if (pool.length < POOL && b.buffer.byteLength > 0) pool.push(b);
}

/**
 * Units as arrows on their own canvas (DESIGN §9), so that 2,000 units moving at 1 Hz never make
 * Leaflet redraw the incidents: one pass per animation frame at most, arrows batched per look,
 * culled to the view, their recent trails underneath (fading with age). The canvas takes no
 * pointer events; hover and click find the unit under the pointer in a grid of the screen positions
 * drawn last.
 */
export class UnitLayer extends L.Layer {
  private readonly shown = new Map<string, Shown>();
  private zoom = 13;
  private scale = 1;
  private radius = unitRadius(13);
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private frame = 0;
  private animating = false;
  /** the view the canvas was last drawn for */
  private drawnBounds: L.LatLngBounds | null = null;
  private readonly hits = new HitGrid(32);
  /** sprite strips, when drawing on the main thread */
  private readonly sprites = new SpriteCache();
  /** the worker that owns the canvas, when the browser can hand it over */
  private worker: Worker | null = null;
  private hitIds: string[] = [];
  /** frame buffers handed back, for the next frames */
  private readonly dataPool: Float32Array[] = [];
  private readonly trailPool: Float32Array[] = [];
  /** one unit's trail as read from the source */
  private scratch = new Float64Array(0);
  /** drawn on the last pass (for tests and the curious) */
  drawn = 0;
  /** trails drawn on the last pass */
  trailsDrawn = 0;

  /** `trails`: recent trails to draw under the arrows; `now`: the server's clock (their age). */
  constructor(private readonly paneName: string, private readonly trails: TrailSource | null = null, private readonly now: () => number = Date.now) {
    super({ pane: paneName });
  }

  get size(): number {
    return this.shown.size;
  }

  override onAdd(map: L.Map): this {
    const c = (this.canvas = L.DomUtil.create('canvas', 'pg-units-canvas leaflet-zoom-animated'));
    c.style.pointerEvents = 'none';
    map.getPane(this.paneName)!.appendChild(c);
    this.resize();
    // the drawing goes to a worker when the canvas can be handed over (off the main thread's frames)
    if (typeof c.transferControlToOffscreen === 'function' && typeof OffscreenCanvas !== 'undefined') {
      try {
        const off = c.transferControlToOffscreen();
        const w = new Worker(new URL('./unit-draw-worker.ts', import.meta.url), { type: 'module', name: 'pg-units' });
        w.onerror = (e) => console.error('unit drawing worker', e.message);
        w.onmessage = (e: MessageEvent<FromUnitWorker>) => {
          giveBack(this.dataPool, e.data.data);
          giveBack(this.trailPool, e.data.trails);
        };
        w.postMessage({ type: 'init', canvas: off } satisfies ToUnitWorker, [off]);
        this.worker = w;
      } catch {
        this.worker = null;
      }
    }
    if (!this.worker) this.ctx = c.getContext('2d');
    this.schedule();
    return this;
  }

  override onRemove(): this {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.worker?.terminate();
    this.worker = null;
    this.canvas?.remove();
    this.canvas = this.ctx = null;
    return this;
  }

  override getEvents(): Record<string, L.LeafletEventHandlerFn> {
    return {
      zoomanim: this.onZoomAnim as L.LeafletEventHandlerFn,
      zoomend: this.onZoomEnd,
      move: this.schedule,
      moveend: this.schedule,
      viewreset: this.schedule,
      resize: this.onResize,
    };
  }

  private readonly onResize = (): void => {
    this.resize();
    this.schedule();
  };

  private readonly onZoomAnim = (e: L.ZoomAnimEvent): void => {
    const map = this._map;
    if (!map || !this.canvas || !this.drawnBounds) return;
    this.animating = true;
    const scale = map.getZoomScale(e.zoom, map.getZoom());
    const offset = (map as unknown as MapInternals)._latLngBoundsToNewLayerBounds(this.drawnBounds, e.zoom, e.center).min;
    if (offset) L.DomUtil.setTransform(this.canvas, offset, scale);
  };

  private readonly onZoomEnd = (): void => {
    this.animating = false;
    this.schedule();
  };

  /** The canvas's CSS size follows the map's; its pixels are sized where it is drawn. */
  private resize(): void {
    if (!this._map || !this.canvas) return;
    const size = this._map.getSize();
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
  }

  /** One redraw on the next animation frame, however many changes come before it. */
  readonly schedule = (): void => {
    if (this.frame || !this.canvas) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.animating) return; // zoomend schedules again
      this.draw();
    });
  };

  /** Where a unit is on the map (for its card), when it has a fix. */
  latLng(id: string): L.LatLng | undefined {
    const s = this.shown.get(id);
    return s ? L.latLng(s.lat, s.lon) : undefined;
  }

  /** The unit drawn under a container point, within the arrow's size. */
  unitAt(p: L.Point): string | null {
    const i = this.hitGrid().nearest(p.x, p.y, this.radius * 1.3 + 3);
    return i < 0 ? null : (this.hitIds[i] ?? null);
  }

  sync(items: ReadonlyMap<string, Unit>, now: number): void {
    let changed = false;
    for (const [id, u] of items) {
      const held = this.shown.get(id);
      if (held?.obj === u) continue;
      if (!u.lastFix) {
        if (held) this.shown.delete(id);
        changed = true;
        continue;
      }
      const fixAt = Date.parse(u.lastFix.at);
      const { lat, lon } = u.lastFix;
      const s: Shown = { id, obj: u, lat, lon, mx: mercatorX(lon), my: mercatorY(lat), heading: u.lastFix.heading ?? null, fixAt, stale: now - fixAt > STALE_FIX_MS };
      if (held) Object.assign(held, s);
      else this.shown.set(id, s);
      changed = true;
    }
    for (const id of this.shown.keys()) {
      if (!items.has(id)) {
        this.shown.delete(id);
        changed = true;
      }
    }
    if (changed) this.schedule();
  }

  /** Greys out units whose last fix has aged past 2 minutes (no frame announces that); trails fade on. */
  restyle(now: number): void {
    let changed = this.trailsDrawn > 0;
    for (const s of this.shown.values()) {
      const stale = now - s.fixAt > STALE_FIX_MS;
      if (stale === s.stale) continue;
      s.stale = stale;
      changed = true;
    }
    if (changed) this.schedule();
  }

  /** Resizes the arrows for a new zoom level. */
  setZoom(zoom: number): void {
    this.zoom = zoom;
    this.resizeArrows();
  }

  /** Resizes the arrows and trails for a marker scale (2 on a 4K wall: the same share of the screen as at 1080p). */
  setScale(scale: number): void {
    this.scale = scale > 0 && Number.isFinite(scale) ? scale : 1;
    this.resizeArrows();
  }

  private resizeArrows(): void {
    // sized for the zoom the view would have at scale 1 (a 4K wall frames the city one level deeper, the same picture)
    const r = unitRadius(this.zoom - Math.log2(this.scale), this.scale);
    if (r === this.radius) return;
    this.radius = r;
    this.schedule();
  }

  /** The look index of a unit in a frame's list of looks, added when new. */
  private lookIndex(u: Shown, looks: UnitLook[], index: Map<string, number>): number {
    const look = lookOf(u.obj, u.stale);
    const k = lookKey(look);
    let li = index.get(k);
    if (li === undefined) {
      li = looks.push(look) - 1;
      index.set(k, li);
    }
    return li;
  }

  /**
   * Packs the trails that touch the view into `out` (see TRAIL_HEADER and packTrail); answers the
   * values used and the trails packed. `out` has room for every shown unit's full trail and arrow.
   */
  private packTrails(out: Float32Array, looks: UnitLook[], index: Map<string, number>, ox: number, oy: number, world: number, w: number, h: number): [number, number] {
    const src = this.trails;
    if (!src || src.size === 0) return [0, 0];
    const now = this.now();
    if (this.scratch.length < src.capacity * 3) this.scratch = new Float64Array(src.capacity * 3);
    const pts = this.scratch;
    const v: TrailView = { ox, oy, world, w, h, now, maxAgeMs: src.maxAgeMs, step: trailStep(this.radius), margin: this.radius * 2 };
    let tn = 0;
    let count = 0;
    for (const u of this.shown.values()) {
      const k = src.read(u.id, now, pts);
      if (k === 0) continue;
      const next = packTrail(out, tn, pts, k, u.mx, u.my, u.fixAt, v);
      if (next === tn) continue;
      out[tn] = this.lookIndex(u, looks, index);
      tn = next;
      count++;
    }
    return [tn, count];
  }

  /** Where the last frame was drawn: the projected pixel of the view's top left, the zoom, the size. */
  private view: { ox: number; oy: number; zoom: number; w: number; h: number } | null = null;
  private hitsStale = true;

  private draw(): void {
    const map = this._map;
    const c = this.canvas;
    if (!map || !c) return;
    const size = map.getSize();
    const zoom = map.getZoom();
    // the canvas covers the view: its top left at the view's top left in layer points
    const topLeft = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(c, topLeft);
    this.drawnBounds = map.getBounds();
    // projected pixel of the view's top left: layer point + pixel origin
    const origin = map.getPixelOrigin();
    const ox = topLeft.x + origin.x;
    const oy = topLeft.y + origin.y;
    this.view = { ox, oy, zoom, w: size.x, h: size.y };
    this.hitsStale = true;
    const dpr = window.devicePixelRatio || 1;

    const reach = this.radius * 1.4 + 1.5;
    const world = 256 * 2 ** zoom;
    const data = takeBuffer(this.dataPool, this.shown.size * FRAME_STRIDE);
    const looks: UnitLook[] = [];
    const lookIndex = new Map<string, number>();
    let n = 0;
    for (const u of this.shown.values()) {
      const x = u.mx * world - ox;
      const y = u.my * world - oy;
      if (!inView(x, y, size.x, size.y, reach)) continue;
      const o = n * FRAME_STRIDE;
      data[o] = x;
      data[o + 1] = y;
      data[o + 2] = headingColumn(u.heading);
      data[o + 3] = this.lookIndex(u, looks, lookIndex);
      n++;
    }
    this.drawn = n;
    const cap = this.trails && this.trails.size > 0 ? this.trails.capacity : 0;
    const trails = takeBuffer(this.trailPool, cap ? this.shown.size * (TRAIL_HEADER + (cap + 1) * TRAIL_POINT) : 0);
    const [tn, tcount] = this.packTrails(trails, looks, lookIndex, ox, oy, world, size.x, size.y);
    this.trailsDrawn = tcount;
    c.dataset.units = String(n);
    c.dataset.trails = String(tcount);
    const frame: UnitFrame = { w: size.x, h: size.y, dpr, radius: this.radius, looks, data, n, trails, tn, trailWidth: trailWidth(this.radius) };
    if (this.worker) {
      this.worker.postMessage({ type: 'frame', ...frame } satisfies ToUnitWorker, [data.buffer, trails.buffer]);
    } else if (this.ctx) {
      const w = Math.round(size.x * dpr);
      const h = Math.round(size.y * dpr);
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
      drawFrame(this.ctx, this.sprites, frame);
      giveBack(this.dataPool, data);
      giveBack(this.trailPool, trails);
    } else {
      giveBack(this.dataPool, data);
      giveBack(this.trailPool, trails);
    }
  }

  /** The grid of screen positions of the last frame, built when the pointer first asks after a frame. */
  private hitGrid(): HitGrid {
    if (!this.hitsStale || !this.view) return this.hits;
    const { ox, oy, zoom, w, h } = this.view;
    const world = 256 * 2 ** zoom;
    const reach = this.radius * 1.5 + 4;
    this.hits.clear();
    this.hitIds = [];
    for (const u of this.shown.values()) {
      const x = u.mx * world - ox;
      const y = u.my * world - oy;
      if (!inView(x, y, w, h, reach)) continue;
      this.hits.add(x, y);
      this.hitIds.push(u.id);
    }
    this.hitsStale = false;
    return this.hits;
  }
}
