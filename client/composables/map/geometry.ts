import type { AreaGeometry } from '../../../shared/jurisdiction.js';

type Pt = readonly number[];

function area(r: readonly Pt[]): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j]![0]! - r[i]![0]!) * (r[j]![1]! + r[i]![1]!);
  return a / 2;
}

function centroidY(r: readonly Pt[]): number {
  let a = 0;
  let cy = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [x0, y0] = r[j]! as [number, number];
    const [x1, y1] = r[i]! as [number, number];
    const k = x0 * y1 - x1 * y0;
    a += k;
    cy += (y0 + y1) * k;
  }
  return a === 0 ? r[0]![1]! : cy / (3 * a);
}

/**
 * A point inside the largest outer ring for a label: on the horizontal line through the
 * centroid, the middle of the widest inside stretch (a centroid alone can fall outside an
 * L-shaped district). Answers [lat, lon].
 */
export function labelPoint(g: AreaGeometry): [number, number] {
  const outers = g.type === 'Polygon' ? [g.coordinates[0]!] : g.coordinates.map((p) => p[0]!);
  const ring = outers.reduce((best, r) => (Math.abs(area(r)) > Math.abs(area(best)) ? r : best));
  const y = centroidY(ring);
  const xs: number[] = [];
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j]! as [number, number];
    const [x1, y1] = ring[i]! as [number, number];
    if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
  }
  xs.sort((a, b) => a - b);
  let best: [number, number] | null = null;
  for (let i = 0; i + 1 < xs.length; i += 2) if (!best || xs[i + 1]! - xs[i]! > best[1] - best[0]) best = [xs[i]!, xs[i + 1]!];
  const x = best ? (best[0] + best[1]) / 2 : ring.reduce((s, p) => s + p[0]!, 0) / ring.length;
  return [y, x];
}
