import * as L from 'leaflet';
import type { Unit } from '../../../shared/objects.js';
import { STALE_FIX_MS } from '../../stores/units.js';
import { HitGrid, inView, projectPx } from './cluster-math.js';
import { STALE_COLOR, UNIT_STATUS_COLORS } from './colors.js';
import { drawFrame, FRAME_STRIDE, headingColumn, lookKey, SpriteCache, type ToUnitWorker, type UnitLook } from './unit-sprites.js';

export const isStale = (u: Unit, now: number) => !u.lastFix || now - Date.parse(u.lastFix.at) > STALE_FIX_MS;

/** Arrow size by zoom: smaller city-wide, where 2,000 of them share the screen. */
export const unitRadius = (zoom: number) => (zoom < 12.5 ? 5 : zoom < 13.5 ? 6.5 : 8);

interface Shown {
  id: string;
  obj: Unit;
  lat: number;
  lon: number;
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

/**
 * Units as arrows on their own canvas (DESIGN §9), so that 2,000 units moving at 1 Hz never make
 * Leaflet redraw the incidents: one pass per animation frame at most, arrows batched per look,
 * culled to the view. The canvas takes no pointer events; hover and click find the unit under the
 * pointer in a grid of the screen positions drawn last.
 */
export class UnitLayer extends L.Layer {
  private readonly shown = new Map<string, Shown>();
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
  /** drawn on the last pass (for tests and the curious) */
  drawn = 0;

  constructor(private readonly paneName: string) {
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
      const s: Shown = { id, obj: u, lat: u.lastFix.lat, lon: u.lastFix.lon, heading: u.lastFix.heading ?? null, fixAt, stale: now - fixAt > STALE_FIX_MS };
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

  /** Greys out units whose last fix has aged past 2 minutes (no frame announces that). */
  restyle(now: number): void {
    let changed = false;
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
    const r = unitRadius(zoom);
    if (r === this.radius) return;
    this.radius = r;
    this.schedule();
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
    const data = new Float32Array(this.shown.size * FRAME_STRIDE);
    const looks: UnitLook[] = [];
    const lookIndex = new Map<string, number>();
    let n = 0;
    for (const u of this.shown.values()) {
      const [px, py] = projectPx(u.lat, u.lon, zoom);
      const x = px - ox;
      const y = py - oy;
      if (!inView(x, y, size.x, size.y, reach)) continue;
      const look = lookOf(u.obj, u.stale);
      const k = lookKey(look);
      let li = lookIndex.get(k);
      if (li === undefined) {
        li = looks.push(look) - 1;
        lookIndex.set(k, li);
      }
      const o = n * FRAME_STRIDE;
      data[o] = x;
      data[o + 1] = y;
      data[o + 2] = headingColumn(u.heading);
      data[o + 3] = li;
      n++;
    }
    this.drawn = n;
    const frame = { w: size.x, h: size.y, dpr, radius: this.radius, looks, data, n };
    if (this.worker) {
      this.worker.postMessage({ type: 'frame', ...frame } satisfies ToUnitWorker, [data.buffer]);
    } else if (this.ctx) {
      const w = Math.round(size.x * dpr);
      const h = Math.round(size.y * dpr);
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
      drawFrame(this.ctx, this.sprites, frame);
    }
  }

  /** The grid of screen positions of the last frame, built when the pointer first asks after a frame. */
  private hitGrid(): HitGrid {
    if (!this.hitsStale || !this.view) return this.hits;
    const { ox, oy, zoom, w, h } = this.view;
    this.hits.clear();
    this.hitIds = [];
    for (const u of this.shown.values()) {
      const [px, py] = projectPx(u.lat, u.lon, zoom);
      const x = px - ox;
      const y = py - oy;
      if (!inView(x, y, w, h, 12)) continue;
      this.hits.add(x, y);
      this.hitIds.push(u.id);
    }
    this.hitsStale = false;
    return this.hits;
  }
}
