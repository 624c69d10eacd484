// The units' canvas, owned by a worker (transferControlToOffscreen): the main thread sends the
// screen positions of a frame and of the trails, the worker strokes the trails and blits the
// sprites, so that 2,000 units redrawn four times a second cost the wall's main thread (and its
// frame times) next to nothing.
import { drawFrame, SpriteCache, type FromUnitWorker, type ToUnitWorker } from './unit-sprites.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent<ToUnitWorker>) => void) | null; postMessage(m: FromUnitWorker, transfer: Transferable[]): void };
const sprites = new SpriteCache();
let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') {
    canvas = m.canvas;
    ctx = canvas.getContext('2d');
    return;
  }
  if (!canvas || !ctx) return;
  const w = Math.round(m.w * m.dpr);
  const h = Math.round(m.h * m.dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  drawFrame(ctx, sprites, m);
  // the buffers go back to the main thread for its next frame (no garbage per frame there)
  scope.postMessage({ type: 'done', data: m.data, trails: m.trails }, [m.data.buffer, m.trails.buffer]);
};
