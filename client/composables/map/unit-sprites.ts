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

/** Sprite strips by look, radius and pixel ratio, drawn once. */
export class SpriteCache {
  private readonly strips = new Map<string, Surface>();

  strip(look: UnitLook, radius: number, dpr: number): Surface {
    const key = `${lookKey(look)}|${radius}|${dpr}`;
    const held = this.strips.get(key);
    if (held) return held;
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

/**
 * Clears a w×h (CSS px) canvas and blits `n` units of a frame buffer: one drawImage each, at whole
 * pixels (no resampling). Software canvases rasterise a path of 2,000 stroked arrows slowly; blits are cheap.
 */
export function drawFrame(ctx: Ctx2D, sprites: SpriteCache, frame: { w: number; h: number; dpr: number; radius: number; looks: readonly UnitLook[]; data: Float32Array; n: number }): void {
  const { w, h, dpr, radius, looks, data, n } = frame;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
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
  | { type: 'frame'; w: number; h: number; dpr: number; radius: number; looks: UnitLook[]; data: Float32Array; n: number };
