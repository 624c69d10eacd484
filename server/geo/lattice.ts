/**
 * Integer lattice cells packed into one number each, so sets of cells are plain
 * Set<number>/Map<number, …> and neighbours are a fixed offset away.
 * Cell (i, j): column i grows east, row j grows north; |i|, |j| < OFFSET.
 */
const OFFSET = 256;
export const SPAN = OFFSET * 2;

export function cellKey(i: number, j: number): number {
  return (j + OFFSET) * SPAN + (i + OFFSET);
}

export function cellI(key: number): number {
  return (key % SPAN) - OFFSET;
}

export function cellJ(key: number): number {
  return Math.floor(key / SPAN) - OFFSET;
}

/** The 4-neighbours (east, north, west, south). */
export function neighbours(key: number): [number, number, number, number] {
  return [key + 1, key + SPAN, key - 1, key - SPAN];
}

/** 4-connected components of `cells`, each sorted, in order of their smallest key. */
export function components(cells: Iterable<number>): number[][] {
  const remaining = new Set(cells);
  const out: number[][] = [];
  for (const start of [...remaining].sort((a, b) => a - b)) {
    if (!remaining.has(start)) continue;
    remaining.delete(start);
    const comp = [start];
    for (let k = 0; k < comp.length; k++) {
      for (const n of neighbours(comp[k] as number)) {
        if (remaining.delete(n)) comp.push(n);
      }
    }
    out.push(comp.sort((a, b) => a - b));
  }
  return out;
}

/** The largest component; ties go to the one with the smallest key so results stay deterministic. */
export function largestComponent(cells: Iterable<number>): number[] {
  let best: number[] = [];
  for (const comp of components(cells)) if (comp.length > best.length) best = comp;
  return best;
}

/** Adds every cell enclosed by `cells` (not reachable from outside its bounding box). */
export function fillHoles(cells: readonly number[]): number[] {
  const inside = new Set(cells);
  if (inside.size === 0) return [];
  let i0 = Infinity, i1 = -Infinity, j0 = Infinity, j1 = -Infinity;
  for (const c of cells) {
    i0 = Math.min(i0, cellI(c)); i1 = Math.max(i1, cellI(c));
    j0 = Math.min(j0, cellJ(c)); j1 = Math.max(j1, cellJ(c));
  }
  // flood the complement from a one-cell margin around the bounding box
  const outside = new Set<number>();
  const queue: number[] = [];
  const within = (k: number) => {
    const i = cellI(k), j = cellJ(k);
    return i >= i0 - 1 && i <= i1 + 1 && j >= j0 - 1 && j <= j1 + 1;
  };
  const seed = cellKey(i0 - 1, j0 - 1);
  outside.add(seed);
  queue.push(seed);
  for (let k = 0; k < queue.length; k++) {
    for (const n of neighbours(queue[k] as number)) {
      if (!inside.has(n) && !outside.has(n) && within(n)) {
        outside.add(n);
        queue.push(n);
      }
    }
  }
  const out = [...inside];
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const k = cellKey(i, j);
      if (!inside.has(k) && !outside.has(k)) out.push(k);
    }
  }
  return out.sort((a, b) => a - b);
}
