import { cellI, cellJ, components, neighbours } from './lattice.js';
import { shuffled, type Rng } from './prng.js';

const LLOYD_ROUNDS = 6;

interface Seed { x: number; y: number }

function nearestSeed(seeds: readonly Seed[], key: number): number {
  const x = cellI(key), y = cellJ(key);
  let best = 0, bestD = Infinity;
  seeds.forEach((s, idx) => {
    const d = (s.x - x) ** 2 + (s.y - y) ** 2;
    if (d < bestD) { bestD = d; best = idx; } // strict < : ties go to the lower seed index
  });
  return best;
}

function assign(cells: readonly number[], seeds: readonly Seed[]): Map<number, number> {
  const label = new Map<number, number>();
  for (const c of cells) label.set(c, nearestSeed(seeds, c));
  return label;
}

/**
 * Splits a 4-connected set of cells into about `k` 4-connected regions:
 * Voronoi on seeds relaxed by a few Lloyd rounds (so sizes come out even),
 * then stray fragments are handed to a neighbouring region.
 */
export function partitionCells(cells: readonly number[], k: number, rng: Rng): number[][] {
  const sorted = [...cells].sort((a, b) => a - b);
  if (k <= 1 || sorted.length <= 1) return [sorted];
  const count = Math.min(k, sorted.length);
  // distinct start cells guarantee that every seed owns at least its own cell at first
  const seeds: Seed[] = shuffled(rng, sorted).slice(0, count).map((c) => ({ x: cellI(c), y: cellJ(c) }));
  for (let round = 0; round < LLOYD_ROUNDS; round++) {
    const label = assign(sorted, seeds);
    const sum = seeds.map(() => ({ x: 0, y: 0, n: 0 }));
    for (const [c, l] of label) {
      const acc = sum[l];
      if (!acc) continue;
      acc.x += cellI(c); acc.y += cellJ(c); acc.n++;
    }
    sum.forEach((acc, idx) => {
      if (acc.n > 0) seeds[idx] = { x: acc.x / acc.n, y: acc.y / acc.n };
    });
  }
  const label = assign(sorted, seeds);
  makeConnected(sorted, label, count);
  const regions: number[][] = Array.from({ length: count }, () => []);
  for (const c of sorted) regions[label.get(c) ?? 0]?.push(c);
  return regions.filter((r) => r.length > 0);
}

/**
 * Voronoi cells restricted to a non-convex parent can come out in pieces.
 * Each region keeps its largest piece; the other pieces are released and
 * regrown from their neighbours, which keeps every region in one piece
 * because growth only ever adds cells touching a region.
 */
function makeConnected(cells: readonly number[], label: Map<number, number>, count: number): void {
  const byRegion: number[][] = Array.from({ length: count }, () => []);
  for (const c of cells) byRegion[label.get(c) ?? 0]?.push(c);
  const free = new Set<number>();
  for (const region of byRegion) {
    const parts = components(region);
    let keep = 0;
    parts.forEach((p, idx) => { if (p.length > (parts[keep]?.length ?? 0)) keep = idx; });
    parts.forEach((p, idx) => {
      if (idx !== keep) for (const c of p) { free.add(c); label.delete(c); }
    });
  }
  while (free.size > 0) {
    const grabbed: [number, number][] = [];
    for (const c of [...free].sort((a, b) => a - b)) {
      let best: number | undefined;
      for (const n of neighbours(c)) {
        const l = label.get(n);
        if (l !== undefined && (best === undefined || l < best)) best = l;
      }
      if (best !== undefined) grabbed.push([c, best]);
    }
    // the parent is connected, so some free cell always touches a labelled one
    if (grabbed.length === 0) throw new Error('partitionCells: parent region is not 4-connected');
    for (const [c, l] of grabbed) { label.set(c, l); free.delete(c); }
  }
}
