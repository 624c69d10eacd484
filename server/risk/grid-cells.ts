/** Square cells over metric x/y, origin at the minimum x and y of the data. */

export interface Grid {
  cellMeters: number;
  originX: number;
  originY: number;
  cols: number;
  rows: number;
}

export function buildGrid(xs: ArrayLike<number>, ys: ArrayLike<number>, cellMeters: number): Grid {
  if (!(cellMeters > 0)) throw new Error(`cell size must be positive, got ${cellMeters}`);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (xs.length === 0) return { cellMeters, originX: 0, originY: 0, cols: 1, rows: 1 };
  return {
    cellMeters,
    originX: minX,
    originY: minY,
    cols: Math.floor((maxX - minX) / cellMeters) + 1,
    rows: Math.floor((maxY - minY) / cellMeters) + 1,
  };
}

/** Column, row and id (row * cols + col) of the cell holding a point. */
export function cellOf(grid: Grid, x: number, y: number): number {
  const col = Math.min(grid.cols - 1, Math.max(0, Math.floor((x - grid.originX) / grid.cellMeters)));
  const row = Math.min(grid.rows - 1, Math.max(0, Math.floor((y - grid.originY) / grid.cellMeters)));
  return row * grid.cols + col;
}

export function cellCount(grid: Grid): number {
  return grid.cols * grid.rows;
}

/**
 * Neighbour table: for each cell, its 4 edge neighbours then its 4 corner neighbours
 * (−1 where the neighbour falls outside the grid). 8 entries per cell.
 */
export function neighbourTable(grid: Grid): Int32Array {
  const { cols, rows } = grid;
  const out = new Int32Array(cols * rows * 8).fill(-1);
  const offsets: ReadonlyArray<readonly [number, number]> = [
    [1, 0], [-1, 0], [0, 1], [0, -1],
    [1, 1], [1, -1], [-1, 1], [-1, -1],
  ];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * 8;
      for (let k = 0; k < 8; k++) {
        const [dc, dr] = offsets[k]!;
        const cc = c + dc;
        const rr = r + dr;
        if (cc >= 0 && cc < cols && rr >= 0 && rr < rows) out[base + k] = rr * cols + cc;
      }
    }
  }
  return out;
}
