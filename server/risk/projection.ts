/**
 * WGS84 geographic coordinates → UTM (transverse Mercator), written out so the backtest
 * needs no projection library. Krüger series to third order in n (Karney 2011 / the
 * formulas on the "Universal Transverse Mercator coordinate system" reference page):
 * sub-millimetre within a zone, far better than a 150 m grid needs.
 */

const A_WGS84 = 6378137;
const F_WGS84 = 1 / 298.257223563;
const K0 = 0.9996;
const FALSE_EASTING = 500000;
const FALSE_NORTHING_SOUTH = 10000000;

const n = F_WGS84 / (2 - F_WGS84);
const A = (A_WGS84 / (1 + n)) * (1 + (n * n) / 4 + (n ** 4) / 64);
const ALPHA = [n / 2 - (2 * n * n) / 3 + (5 * n ** 3) / 16, (13 * n * n) / 48 - (3 * n ** 3) / 5, (61 * n ** 3) / 240] as const;
const TWO_SQRT_N = (2 * Math.sqrt(n)) / (1 + n);
const DEG = Math.PI / 180;

export interface UtmZone {
  zone: number; // 1..60
  south: boolean;
}

export interface Projected {
  x: number; // easting, metres
  y: number; // northing, metres
}

/** UTM zone number for a longitude (no Norway/Svalbard exceptions: a backtest picks one zone for all data). */
export function utmZoneForLongitude(lon: number): number {
  const z = Math.floor((lon + 180) / 6) + 1;
  return Math.min(60, Math.max(1, z));
}

/** The zone for a data set: from the mean longitude; south when the mean latitude is negative. */
export function utmZoneFor(lons: ArrayLike<number>, lats: ArrayLike<number>): UtmZone {
  let sumLon = 0;
  let sumLat = 0;
  for (let i = 0; i < lons.length; i++) {
    sumLon += lons[i]!;
    sumLat += lats[i]!;
  }
  const count = Math.max(1, lons.length);
  return { zone: utmZoneForLongitude(sumLon / count), south: sumLat / count < 0 };
}

/** Central meridian of a zone, degrees. */
export function centralMeridian(zone: number): number {
  return zone * 6 - 183;
}

/** EPSG code of a WGS84 UTM zone (326zz north, 327zz south). */
export function utmEpsg(z: UtmZone): number {
  return (z.south ? 32700 : 32600) + z.zone;
}

/** Project one WGS84 lon/lat (degrees) into the given UTM zone (which may be a neighbouring zone). */
export function toUtm(lon: number, lat: number, z: UtmZone): Projected {
  const phi = lat * DEG;
  const dLambda = (lon - centralMeridian(z.zone)) * DEG;
  const sinPhi = Math.sin(phi);
  const t = Math.sinh(Math.atanh(sinPhi) - TWO_SQRT_N * Math.atanh(TWO_SQRT_N * sinPhi));
  const xiP = Math.atan2(t, Math.cos(dLambda));
  const etaP = Math.atanh(Math.sin(dLambda) / Math.sqrt(1 + t * t));
  let xi = xiP;
  let eta = etaP;
  for (let j = 1; j <= 3; j++) {
    const a = ALPHA[j - 1]!;
    xi += a * Math.sin(2 * j * xiP) * Math.cosh(2 * j * etaP);
    eta += a * Math.cos(2 * j * xiP) * Math.sinh(2 * j * etaP);
  }
  return {
    x: FALSE_EASTING + K0 * A * eta,
    y: (z.south ? FALSE_NORTHING_SOUTH : 0) + K0 * A * xi,
  };
}

/**
 * Projected EPSG codes whose x/y are metres in a conformal projection and are accepted as-is:
 * WGS84 UTM (32601–32660, 32701–32760), NAD83 UTM (26901–26923), ETRS89 UTM (25828–25838),
 * NAD83(2011) UTM (6328–6348). Web Mercator (3857) is rejected (its metres are not ground
 * metres), as are foot-based state-plane codes.
 */
export function isSupportedMetricEpsg(code: number): boolean {
  return (
    (code >= 32601 && code <= 32660) ||
    (code >= 32701 && code <= 32760) ||
    (code >= 26901 && code <= 26923) ||
    (code >= 25828 && code <= 25838) ||
    (code >= 6328 && code <= 6348)
  );
}
