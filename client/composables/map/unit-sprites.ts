// Drawing units as sprites (no Leaflet, no DOM): shared by the unit layer's own canvas on the main
// thread and the drawing worker that owns it when the browser can hand a canvas to a worker.

/** A style of arrow: all the units of one look share one sprite strip. */
export interface UnitLook {
  fill: string;
  fillAlpha: number;
  stroke: string;
}

export const lookKey = (l: UnitLook) => `${l.fill}|${l.fillAlpha}|${l.stroke}`;

/** Headings are drawn in steps of this many degrees; the column after the last is the square of "no heading". */
export const HEADING_STEP = 5;
export const HEADING_STEPS = 360 / HEADING_STEP;

/** The sprite column of a heading (degrees clockwise from north; null: unknown). */
export const headingColumn = (h: number | null) =>
  h === null || !Number.isFinite(h) ? HEADING_STEPS : Math.round((((h % 360) + 360) % 360) / HEADING_STEP) % HEADING_STEPS;

/** The side of a sprite cell in CSS px for an arrow radius: the tip's reach and the outline. */
export const spriteCell = (radius: number) => Math.ceil(radius * 2.7 + 4);

/** Values per unit in a frame buffer: x, y (CSS px in the canvas), sprite column, look index. */
export const FRAME_STRIDE = 4;

/**
 * Trails in a frame: polylines one after another, each `[look index, point count, then x, y, age
 * per point]` (CSS px in the canvas; age from 0, new, to 1, at the trail's 10 minutes), oldest first.
 */
export const TRAIL_HEADER = 2;
export const TRAIL_POINT = 3;
/** Age bands a trail fades through: one path per look and band, stroked at the band's alpha. */
export const TRAIL_BANDS = 4;
/** The newest band's alpha; each older band loses an equal share. */
export const TRAIL_ALPHA = 0.7;

/** The alpha of an age band (0: newest). */
export const trailAlpha = (band: number) => TRAIL_ALPHA * (1 - band / TRAIL_BANDS);

/** The band of a segment whose older end has this age (0..1). */
export const trailBand = (age: number) => Math.max(0, Math.min(TRAIL_BANDS - 1, Math.floor(age * TRAIL_BANDS)));

/** The trails' line width for an arrow radius (CSS px): thin, thicker with the arrows. */
export const trailWidth = (radius: number) => Math.max(1, radius * 0.2);

/** Trail points closer than this (CSS px) to the previous one kept are skipped: city-wide, ten minutes of a slow unit are a few pixels. */
export const trailStep = (radius: number) => Math.max(1.5, radius * 0.3);

/** The view trails are packed for: its top left as a projected pixel, the world's width in px at its zoom, its size; the clock. */
export interface TrailView {
  ox: number;
  oy: number;
  world: number;
  w: number;
  h: number;
  now: number;
  maxAgeMs: number;
  /** least distance in px between two points kept */
  step: number;
  /** a trail is packed when one of its points is within the view widened by this many px */
  margin: number;
}

/**
 * Packs one unit's trail at `at` in `out` (see TRAIL_HEADER; the look index at `out[at]` is the
 * caller's): its `k` points from `pts` (Mercator x, Mercator y, ms triples, oldest first) in view
 * pixels, thinned to one per `step` px, ending at the unit's current fix (`mx`, `my`, `fixAt`).
 * Answers the offset after it, or `at` when there is nothing to draw: a unit that has not moved a
 * step, or a trail wholly out of view. `out` needs room for `TRAIL_HEADER + (k + 1) * TRAIL_POINT` values.
 */
export function packTrail(out: Float32Array, at: number, pts: Float64Array, k: number, mx: number, my: number, fixAt: number, v: TrailView): number {
  // hot: 2,000 units × 60 points on every redraw; locals only, no closures
  const { ox, oy, world, now, margin } = v;
  const step2 = v.step * v.step;
  const inv = 1 / v.maxAgeMs;
  const x0 = -margin;
  const y0 = -margin;
  const x1 = v.w + margin;
  const y1 = v.h + margin;
  const p0 = at + TRAIL_HEADER;
  let o = p0;
  let cnt = 0;
  let lx = 0;
  let ly = 0;
  let inside = false;
  for (let j = 0, e = k * 3; j < e; j += 3) {
    const x = pts[j]! * world - ox;
    const y = pts[j + 1]! * world - oy;
    const dx = x - lx;
    const dy = y - ly;
    if (cnt > 0 && dx * dx + dy * dy < step2) continue;
    const a = (now - pts[j + 2]!) * inv;
    out[o] = x;
    out[o + 1] = y;
    out[o + 2] = a < 0 ? 0 : a > 1 ? 1 : a;
    o += TRAIL_POINT;
    if (!inside && x >= x0 && y >= y0 && x <= x1 && y <= y1) inside = true;
    cnt++;
    lx = x;
    ly = y;
  }
  // the trail ends at the arrow: its last point is the unit's current fix, in place of a kept point too close to it
  const hx = mx * world - ox;
  const hy = my * world - oy;
  const dx = hx - lx;
  const dy = hy - ly;
  if (cnt > 0 && dx * dx + dy * dy < step2) {
    cnt--;
    o -= TRAIL_POINT;
  }
  if (cnt === 0) return at;
  if (!inside && !(hx >= x0 && hy >= y0 && hx <= x1 && hy <= y1)) return at;
  const a = (now - fixAt) * inv;
  out[o] = hx;
  out[o + 1] = hy;
  out[o + 2] = a < 0 ? 0 : a > 1 ? 1 : a;
  out[at + 1] = cnt + 1;
  return o + TRAIL_POINT;
}

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
type Surface = HTMLCanvasElement | OffscreenCanvas;

const DEG = Math.PI / 180;

function surface(w: number, h: number): Surface {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** Strips kept at most: a few looks at the three zoom sizes; a wall resized for weeks does not pile them up. */
const MAX_STRIPS = 48;

/** Sprite strips by look, radius and pixel ratio, drawn once. */
export class SpriteCache {
  private readonly strips = new Map<string, Surface>();

  strip(look: UnitLook, radius: number, dpr: number): Surface {
    const key = `${lookKey(look)}|${radius}|${dpr}`;
    const held = this.strips.get(key);
    if (held) return held;
    if (this.strips.size >= MAX_STRIPS) this.strips.clear();
    const cell = spriteCell(radius);
    const side = Math.ceil(cell * dpr);
    const c = surface(side * (HEADING_STEPS + 1), side);
    const ctx = c.getContext('2d') as Ctx2D;
    ctx.scale(dpr, dpr);
    ctx.lineWidth = 1.2;
    ctx.lineJoin = 'round';
    const s = radius;
    const step = side / dpr;
    for (let k = 0; k <= HEADING_STEPS; k++) {
      const x = k * step + cell / 2;
      const y = cell / 2;
      ctx.beginPath();
      if (k === HEADING_STEPS) {
        ctx.rect(x - s * 0.7, y - s * 0.7, s * 1.4, s * 1.4);
      } else {
        const h = k * HEADING_STEP;
        const at = (deg: number, d: number): [number, number] => [x + Math.sin(deg * DEG) * d, y - Math.cos(deg * DEG) * d];
        ctx.moveTo(...at(h, s * 1.35));
        ctx.lineTo(...at(h + 140, s));
        ctx.lineTo(...at(h + 180, s * 0.35));
        ctx.lineTo(...at(h - 140, s));
        ctx.closePath();
      }
      ctx.globalAlpha = look.fillAlpha;
      ctx.fillStyle = look.fill;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = look.stroke;
      ctx.stroke();
    }
    this.strips.set(key, c);
    return c;
  }
}

/** What one pass draws: units (`data`, `n` of them) and their trails (`trails`, `tn` values used). */
export interface UnitFrame {
  w: number;
  h: number;
  dpr: number;
  radius: number;
  looks: readonly UnitLook[];
  data: Float32Array;
  n: number;
  trails: Float32Array;
  tn: number;
  /** the trails' line width, CSS px */
  trailWidth: number;
}

/**
 * Strokes the trails of a frame: each polyline split into runs of one age band, all the runs of
 * a look and band in one path, so that a few strokes draw thousands of trails, older bands fainter.
 */
function drawTrails(ctx: Ctx2D, frame: UnitFrame): void {
  const { looks, trails, tn, trailWidth } = frame;
  if (tn <= 0) return;
  const paths: (Path2D | undefined)[] = [];
  let o = 0;
  while (o + TRAIL_HEADER <= tn) {
    const li = trails[o]!;
    const count = trails[o + 1]!;
    const p0 = o + TRAIL_HEADER;
    o = p0 + count * TRAIL_POINT;
    if (o > tn) break;
    let band = -1;
    let path: Path2D | undefined;
    for (let k = 1; k < count; k++) {
      const a = p0 + (k - 1) * TRAIL_POINT;
      const b = a + TRAIL_POINT;
      // a segment fades with its older end
      const sb = trailBand(trails[a + 2]!);
      if (sb !== band) {
        band = sb;
        const pi = li * TRAIL_BANDS + sb;
        path = paths[pi] ??= new Path2D();
        path.moveTo(trails[a]!, trails[a + 1]!);
      }
      path!.lineTo(trails[b]!, trails[b + 1]!);
    }
  }
  ctx.lineWidth = trailWidth;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  for (let pi = 0; pi < paths.length; pi++) {
    const path = paths[pi];
    if (!path) continue;
    const look = looks[Math.floor(pi / TRAIL_BANDS)];
    if (!look) continue;
    // hollow (off duty) units leave a fainter trail
    ctx.globalAlpha = trailAlpha(pi % TRAIL_BANDS) * Math.max(0.4, look.fillAlpha);
    ctx.strokeStyle = look.fill;
    ctx.stroke(path);
  }
  ctx.globalAlpha = 1;
}

/**
 * Clears a w×h (CSS px) canvas, strokes the trails, then blits `n` units of a frame buffer over
 * them: one drawImage each, at whole pixels (no resampling). Software canvases rasterise a path of
 * 2,000 stroked arrows slowly; blits are cheap.
 */
export function drawFrame(ctx: Ctx2D, sprites: SpriteCache, frame: UnitFrame): void {
  const { w, h, dpr, radius, looks, data, n } = frame;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  drawTrails(ctx, frame);
  const cell = spriteCell(radius);
  const side = Math.ceil(cell * dpr);
  const half = cell / 2;
  const strips = looks.map((l) => sprites.strip(l, radius, dpr));
  for (let i = 0; i < n; i++) {
    const o = i * FRAME_STRIDE;
    const strip = strips[data[o + 3]!];
    if (!strip) continue;
    ctx.drawImage(strip, data[o + 2]! * side, 0, side, side, Math.round(data[o]! - half), Math.round(data[o + 1]! - half), side / dpr, side / dpr);
  }
}

/** Main thread → unit drawing worker. */
export type ToUnitWorker =
  | { type: 'init'; canvas: OffscreenCanvas }
  | ({ type: 'frame' } & UnitFrame);

/** Unit drawing worker → main thread: a frame's buffers, drawn, handed back for the next frame (no garbage per frame). */
export interface FromUnitWorker {
  type: 'done';
  data: Float32Array;
  trails: Float32Array;
}
