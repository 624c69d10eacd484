// Plane geometry on [lon, lat] positions, shared by the server (the simulator) and the client (map
// hit tests, the leader's drill-down by a click).

/** Ray casting over one ring of [lon, lat] positions; a point on an edge may fall either way. */
export function pointInRing(ring: readonly (readonly number[])[], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
