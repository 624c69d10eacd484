import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/objects.js';
import {
  CLUSTER_ABOVE, clusterRadius, countLabel, donutSegments, HitGrid, inView, isOverdue, projectPx, shouldCluster, slaState, UNCLUSTER_BELOW,
} from '../../client/composables/map/cluster-math.js';

const TAU = Math.PI * 2;

describe('donut segments from priorities', () => {
  it('splits the full circle by share, priority 1 first, from 12 o’clock', () => {
    const s = donutSegments([1, 1, 2, 0]);
    expect(s.map((x) => x.priority)).toEqual([1, 2, 3]);
    expect(s[0]!.from).toBeCloseTo(-Math.PI / 2);
    expect(s[0]!.to - s[0]!.from).toBeCloseTo(TAU / 4);
    expect(s[1]!.to - s[1]!.from).toBeCloseTo(TAU / 4);
    expect(s[2]!.to - s[2]!.from).toBeCloseTo(TAU / 2);
    // contiguous and closing the ring exactly
    expect(s[1]!.from).toBe(s[0]!.to);
    expect(s[2]!.from).toBe(s[1]!.to);
    expect(s[2]!.to).toBe(-Math.PI / 2 + TAU);
  });

  it('one priority is the whole ring; no counts, no ring', () => {
    const s = donutSegments([0, 0, 0, 7], 0);
    expect(s).toEqual([{ priority: 4, from: 0, to: TAU }]);
    expect(donutSegments([0, 0, 0, 0])).toEqual([]);
    expect(donutSegments([-3, 0, 0, 0])).toEqual([]);
  });

  it('shares add up for uneven counts', () => {
    const s = donutSegments([13, 7, 101, 3]);
    const sum = s.reduce((a, x) => a + (x.to - x.from), 0);
    expect(sum).toBeCloseTo(TAU, 10);
    expect(s[2]!.to - s[2]!.from).toBeCloseTo((101 / 124) * TAU);
  });
});

describe('bucket hit test', () => {
  it('finds the nearest within the radius, across bucket edges', () => {
    const g = new HitGrid(32);
    const a = g.add(10, 10);
    const b = g.add(33, 10); // next bucket
    const c = g.add(500, 400);
    expect(g.size).toBe(3);
    expect(g.nearest(30, 10, 8)).toBe(b);
    expect(g.nearest(12, 11, 8)).toBe(a);
    expect(g.nearest(505, 396, 8)).toBe(c);
    expect(g.nearest(200, 200, 8)).toBe(-1);
    // just outside the radius
    expect(g.nearest(10, 19, 8)).toBe(-1);
  });

  it('answers the last added (drawn on top) on a tie, and works off screen', () => {
    const g = new HitGrid(16);
    g.add(-20, -20);
    const top = g.add(-20, -20);
    expect(g.nearest(-21, -19, 5)).toBe(top);
    g.clear();
    expect(g.size).toBe(0);
    expect(g.nearest(-20, -20, 5)).toBe(-1);
  });

  it('agrees with a linear scan', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const g = new HitGrid(24);
    const pts: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const p: [number, number] = [rand() * 1920, rand() * 1080];
      pts.push(p);
      g.add(p[0], p[1]);
    }
    for (let k = 0; k < 300; k++) {
      const x = rand() * 1920;
      const y = rand() * 1080;
      let best = -1;
      let bestD = 100;
      pts.forEach(([px, py], i) => {
        const d = (px - x) ** 2 + (py - y) ** 2;
        if (d < bestD || (d === bestD && i > best)) {
          best = i;
          bestD = d;
        }
      });
      expect(g.nearest(x, y, 10)).toBe(best);
    }
  });
});

describe('viewport culling and projection', () => {
  it('keeps what touches the view, with the drawing radius and a margin', () => {
    expect(inView(0, 0, 100, 50)).toBe(true);
    expect(inView(100, 50, 100, 50)).toBe(true);
    expect(inView(-5, 10, 100, 50)).toBe(false);
    expect(inView(-5, 10, 100, 50, 6)).toBe(true);
    expect(inView(110, 10, 100, 50, 6)).toBe(false);
    expect(inView(110, 10, 100, 50, 6, 5)).toBe(true);
    expect(inView(50, 60, 100, 50, 8)).toBe(false);
  });

  it('projects like Leaflet (EPSG:3857, 256 px tiles)', () => {
    expect(projectPx(0, 0, 0)).toEqual([128, 128]);
    const [x, y] = projectPx(30.5, 114.3, 13);
    // Leaflet: map.project([30.5, 114.3], 13)
    expect(x).toBeCloseTo(((114.3 + 180) / 360) * 256 * 8192, 6);
    expect(y).toBeGreaterThan(0);
    // one zoom level doubles the distances
    const [x2, y2] = projectPx(30.5, 114.3, 14);
    expect(x2).toBeCloseTo(x * 2, 6);
    expect(y2).toBeCloseTo(y * 2, 6);
    // north is up
    expect(projectPx(30.6, 114.3, 13)[1]).toBeLessThan(y);
  });
});

describe('clustering mode and labels', () => {
  it('clusters above ~1,000 and stops below 900 (no flapping)', () => {
    expect(shouldCluster(CLUSTER_ABOVE, false)).toBe(false);
    expect(shouldCluster(CLUSTER_ABOVE + 1, false)).toBe(true);
    expect(shouldCluster(950, true)).toBe(true);
    expect(shouldCluster(UNCLUSTER_BELOW - 1, true)).toBe(false);
  });

  it('labels counts compactly and sizes donuts by count', () => {
    expect(countLabel(7)).toBe('7');
    expect(countLabel(999)).toBe('999');
    expect(countLabel(1000)).toBe('1k');
    expect(countLabel(1250)).toBe('1.2k');
    expect(countLabel(12_345)).toBe('12k');
    expect(clusterRadius(2)).toBeLessThan(clusterRadius(200));
    expect(clusterRadius(1e9)).toBe(28);
  });

  it('an incident is overdue past its SLA before arrival only', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const inc = { status: 'new', priority: 1, areaType: 'urban', reportedAt: '2026-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z', clockSkew: false } as Incident;
    expect(isOverdue(inc, t0 + 4 * 60_000)).toBe(false);
    expect(isOverdue(inc, t0 + 6 * 60_000)).toBe(true);
    expect(isOverdue({ ...inc, status: 'on_scene' }, t0 + 6 * 60_000)).toBe(false);
    expect(isOverdue({ ...inc, status: 'closed' }, t0 + 6 * 60_000)).toBe(false);
  });

  it('an incident drawn alone shows its time in state against the SLA: ok, late from 3/4 of the target, overdue after it', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const p1 = { status: 'dispatched', priority: 1, areaType: 'urban', reportedAt: '2026-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z', clockSkew: false } as Incident;
    expect(slaState(p1, t0 + 3 * 60_000)).toBe('ok'); // 5-minute target: 3 of 5 minutes gone
    expect(slaState(p1, t0 + 3.75 * 60_000)).toBe('late');
    expect(slaState(p1, t0 + 5 * 60_000 + 1)).toBe('overdue');
    expect(slaState({ ...p1, status: 'on_scene' }, t0 + 9 * 60_000)).toBeNull();
    // priority 3, suburban: 30 minutes
    expect(slaState({ ...p1, priority: 3, areaType: 'suburban' }, t0 + 20 * 60_000)).toBe('ok');
    expect(slaState({ ...p1, priority: 3, areaType: 'suburban' }, t0 + 23 * 60_000)).toBe('late');
  });
});
