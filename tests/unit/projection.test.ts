import { describe, expect, it } from 'vitest';
import { centralMeridian, isSupportedMetricEpsg, toUtm, utmEpsg, utmZoneFor, utmZoneForLongitude } from '../../server/risk/projection.js';

const Z16N = { zone: 16, south: false };

describe('WGS84 → UTM', () => {
  it('puts the central meridian at 500 km easting and the equator at 0 / 10,000 km northing', () => {
    expect(toUtm(-87, 0, Z16N)).toEqual({ x: 500000, y: 0 });
    const s = toUtm(-87, 0, { zone: 16, south: true });
    expect(s.x).toBeCloseTo(500000, 6);
    expect(s.y).toBeCloseTo(10000000, 6);
  });

  it('gives k0 times the WGS84 meridian arc at 45°N (0.9996 × 4,984,944.378 m)', () => {
    const p = toUtm(-87, 45, Z16N);
    expect(p.x).toBeCloseTo(500000, 6);
    expect(p.y).toBeCloseTo(4982950.4, 2);
  });

  it('matches the GeographicLib GeoConvert example (33.3N 44.4E → 38N 444140.54 3684706.36)', () => {
    const p = toUtm(44.4, 33.3, { zone: 38, south: false });
    expect(p.x).toBeCloseTo(444140.54, 1);
    expect(p.y).toBeCloseTo(3684706.36, 1);
  });

  it('places downtown Chicago (41.8781N 87.6298W) in zone 16N at about 447,742 E 4,636,434 N', () => {
    expect(utmZoneForLongitude(-87.6298)).toBe(16);
    const p = toUtm(-87.6298, 41.8781, Z16N);
    expect(p.x).toBeCloseTo(447741.9, 0);
    expect(p.y).toBeCloseTo(4636433.7, 0);
  });

  it('keeps ground distances within the UTM scale error across the city', () => {
    // 0.01° of latitude at 41.88°N is 1,110.70 m on the ellipsoid (meridian radius of curvature
    // 6,363,890 m); the UTM scale 52 km west of the central meridian is 0.99963
    const a = toUtm(-87.6298, 41.8781, Z16N);
    const b = toUtm(-87.6298, 41.8881, Z16N);
    const d = Math.hypot(b.x - a.x, b.y - a.y);
    expect(d).toBeGreaterThan(1110.7 * 0.9996);
    expect(d).toBeLessThan(1110.7 * 0.9997);
  });

  it('chooses the zone from the mean longitude and the hemisphere from the mean latitude', () => {
    expect(utmZoneFor([-87.9, -87.5], [41.7, 42])).toEqual({ zone: 16, south: false });
    expect(utmZoneFor([151.2], [-33.9])).toEqual({ zone: 56, south: true });
    expect(centralMeridian(16)).toBe(-87);
    expect(utmEpsg({ zone: 16, south: false })).toBe(32616);
    expect(utmEpsg({ zone: 56, south: true })).toBe(32756);
  });

  it('accepts metric UTM EPSG codes only', () => {
    for (const code of [32616, 32756, 26916, 25832, 6345]) expect(isSupportedMetricEpsg(code)).toBe(true);
    for (const code of [4326, 3857, 3435, 2263]) expect(isSupportedMetricEpsg(code)).toBe(false);
  });
});
