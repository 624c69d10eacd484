import type { AreaGeometry } from '../../shared/jurisdiction.js';
import { cellI, cellJ, SPAN } from './lattice.js';

type LonLat = [number, number];

/** Edge directions east, north, west, south: +1 (mod 4) is a left turn. */
const E = 0, N = 1, W = 2, S = 3;
const STEP = [1, SPAN, -1, -SPAN] as const;

interface Edge { from: number; dir: number; used: boolean }

/**
 * Boundary edges of the union, each running counter-clockwise around its cell,
 * so the region is always on the left: outer rings come out CCW and holes CW,
 * as RFC 7946 wants. Vertex (i, j) is the south-west corner of cell (i, j),
 * so vertices share the cell key encoding.
 */
function boundaryEdges(cells: ReadonlySet<number>): Map<number, Edge[]> {
  const out = new Map<number, Edge[]>();
  const add = (from: number, dir: number) => {
    const list = out.get(from);
    const edge = { from, dir, used: false };
    if (list) list.push(edge); else out.set(from, [edge]);
  };
  for (const c of cells) {
    if (!cells.has(c - SPAN)) add(c, E);
    if (!cells.has(c + 1)) add(c + 1, N);
    if (!cells.has(c + SPAN)) add(c + SPAN + 1, W);
    if (!cells.has(c - 1)) add(c + SPAN, S);
  }
  return out;
}

/** Follows edges into closed vertex sequences, one vertex per lattice step. */
function traceLoops(edges: Map<number, Edge[]>): number[][] {
  const loops: number[][] = [];
  const starts = [...edges.keys()].sort((a, b) => a - b);
  for (const start of starts) {
    for (const first of edges.get(start) ?? []) {
      if (first.used) continue;
      const loop: number[] = [];
      let edge = first;
      for (;;) {
        edge.used = true;
        loop.push(edge.from);
        const to = edge.from + (STEP[edge.dir] ?? 0);
        const outs = edges.get(to) ?? [];
        // where two cells meet only at a corner, turn left (hug the cell): regions are 4-connected
        const next = outs.length === 1 ? outs[0] : outs.find((e) => e.dir === (edge.dir + 1) % 4);
        if (!next) throw new Error('traceOutline: open boundary');
        if (next === first) break;
        if (next.used) throw new Error('traceOutline: boundary edge visited twice');
        edge = next;
      }
      loops.push(...splitAtRepeats(loop));
    }
  }
  return loops.map(corners);
}

/**
 * Hugging cells at corners leaves a hole that touches the outline at one corner
 * inside the outer loop, which then touches itself there. OGC rings must be
 * simple, so such a loop is cut at each repeated vertex: the pieces are the
 * outer ring and a hole that touches it at a point, which is allowed.
 */
function splitAtRepeats(loop: readonly number[]): number[][] {
  const pieces: number[][] = [];
  const stack: number[] = [];
  const position = new Map<number, number>();
  for (const v of loop) {
    const seen = position.get(v);
    if (seen !== undefined) {
      const piece = stack.splice(seen);
      for (const u of piece) position.delete(u);
      pieces.push(piece);
    }
    position.set(v, stack.length);
    stack.push(v);
  }
  pieces.push(stack);
  return pieces;
}

/** Drops the vertices in the middle of straight runs. */
function corners(loop: readonly number[]): number[] {
  const n = loop.length;
  return loop.filter((v, idx) => {
    const prev = loop[(idx + n - 1) % n] as number, next = loop[(idx + 1) % n] as number;
    return v - prev !== next - v;
  });
}

/** Twice the signed area in lattice units; positive for counter-clockwise rings. */
function signedArea2(ring: readonly number[]): number {
  let sum = 0;
  ring.forEach((v, idx) => {
    const w = ring[(idx + 1) % ring.length] as number;
    sum += cellI(v) * cellJ(w) - cellI(w) * cellJ(v);
  });
  return sum;
}

function ringContains(ring: readonly number[], x: number, y: number): boolean {
  let inside = false;
  ring.forEach((v, idx) => {
    const w = ring[(idx + 1) % ring.length] as number;
    const [ax, ay, bx, by] = [cellI(v), cellJ(v), cellI(w), cellJ(w)];
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  });
  return inside;
}

/**
 * The outline of a union of lattice cells as a GeoJSON Polygon (or MultiPolygon
 * when the cells are not 4-connected); `toLonLat` maps vertex (i, j) to a position.
 */
export function traceOutline(cells: Iterable<number>, toLonLat: (i: number, j: number) => LonLat): AreaGeometry {
  const rings = traceLoops(boundaryEdges(new Set(cells)));
  if (rings.length === 0) throw new Error('traceOutline: no cells');
  const outers = rings.filter((r) => signedArea2(r) > 0);
  const holes = rings.filter((r) => signedArea2(r) < 0);
  const polygons = outers.map((outer) => [outer]);
  for (const hole of holes) {
    // probe a quarter cell off the middle of the hole's first lattice step, on the
    // region side: a point inside a region cell, so it lies on no ring at all
    const a = hole[0] as number, b = hole[1] as number;
    const dx = Math.sign(cellI(b) - cellI(a)), dy = Math.sign(cellJ(b) - cellJ(a));
    const mx = cellI(a) + dx * 0.5 - dy * 0.25;
    const my = cellJ(a) + dy * 0.5 + dx * 0.25;
    let owner: number[][] | undefined;
    let ownerArea = Infinity;
    for (const poly of polygons) {
      const outer = poly[0] as number[];
      const area = signedArea2(outer);
      if (area < ownerArea && ringContains(outer, mx, my)) { owner = poly; ownerArea = area; }
    }
    if (!owner) throw new Error('traceOutline: hole outside every outer ring');
    owner.push(hole);
  }
  const toCoords = (ring: number[]) => {
    const pts = ring.map((v) => toLonLat(cellI(v), cellJ(v)));
    pts.push(pts[0] as LonLat);
    return pts;
  };
  const coords = polygons.map((poly) => poly.map(toCoords));
  if (coords.length === 1) return { type: 'Polygon', coordinates: coords[0] as LonLat[][] };
  return { type: 'MultiPolygon', coordinates: coords };
}
