/**
 * Daily rhythms. Local time is UTC+8 with no DST (Asia/Shanghai); a fixed offset keeps the
 * model pure and independent of the host's time zone database.
 */
const OFFSET_MS = 8 * 3_600_000;

/** Hour of day in Asia/Shanghai as a fraction in [0, 24). */
export function localHour(ms: number): number {
  const dayMs = 86_400_000;
  return ((((ms + OFFSET_MS) % dayMs) + dayMs) % dayMs) / 3_600_000;
}

// Relative call volume by local hour (value at hh:00): trough around 04:00, peak 20:00–22:00,
// the usual shape of 110 call volumes in Chinese cities.
const INCIDENT_PROFILE = [
  0.62, 0.48, 0.36, 0.25, 0.18, 0.2, 0.3, 0.45, 0.58, 0.64, 0.68, 0.7,
  0.72, 0.7, 0.7, 0.72, 0.76, 0.82, 0.88, 0.95, 1.0, 1.0, 1.0, 0.8,
];

// Governance work follows office hours: grid workers, mediators and the petition office.
const OFFICE_PROFILE = [
  0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1, 1, 1,
  0.6, 0.6, 1, 1, 1, 1, 0.6, 0.3, 0.3, 0.2, 0.1, 0.05,
];

function interpolate(profile: readonly number[], ms: number): number {
  const h = localHour(ms);
  const i = Math.floor(h);
  const a = profile[i % 24] ?? 0;
  const b = profile[(i + 1) % 24] ?? 0;
  return a + (b - a) * (h - i);
}

const mean = (p: readonly number[]) => p.reduce((s, x) => s + x, 0) / p.length;

/** Incident rate multiplier in (0, 1]; 1 at the evening peak. */
export function incidentRhythm(ms: number): number {
  return interpolate(INCIDENT_PROFILE, ms);
}

/** Office-hours multiplier in (0, 1]. */
export function officeRhythm(ms: number): number {
  return interpolate(OFFICE_PROFILE, ms);
}

/** Daily means, to turn "n per day" into a rate at a given hour. */
export const INCIDENT_PROFILE_MEAN = mean(INCIDENT_PROFILE);
export const OFFICE_PROFILE_MEAN = mean(OFFICE_PROFILE);

/** Expected count in [fromMs, toMs) for a process with `perDay` events per day following `rhythm`. */
export function expectedCount(perDay: number, rhythm: (ms: number) => number, profileMean: number, fromMs: number, toMs: number): number {
  const perMs = perDay / 86_400_000 / profileMean;
  return perMs * rhythm((fromMs + toMs) / 2) * (toMs - fromMs);
}

const OFFICE_OPEN_HOUR = 8.5;
const OFFICE_CLOSE_HOUR = 18;

/**
 * The first moment at or after `ms` within office hours (08:30–18:00 local): work that falls due
 * at night is done the next morning, spread over its first `spreadMs` by `u` in [0, 1).
 */
export function officeTime(ms: number, u: number, spreadMs = 3 * 3_600_000): number {
  const h = localHour(ms);
  if (h >= OFFICE_OPEN_HOUR && h < OFFICE_CLOSE_HOUR) return ms;
  return ms + ((OFFICE_OPEN_HOUR - h + 24) % 24) * 3_600_000 + u * spreadMs;
}
