/** Simulated days of governance history the simulator replays at the start (SIM_BACKLOG_DAYS). */
export const DEFAULT_BACKLOG_DAYS = 10;

/** Environment of the feeders (simulator and replay). */
export interface SimConfig {
  target: string;
  key: string;
  /** Credential for GET /jurisdictions; the ingest key unless SIM_TOKEN is set. */
  readToken: string;
  /**
   * SIM_TOKEN: a machine token (role with `read`, the city in scope) for the unit terminals,
   * which follow the live feed and answer coordinators' dispatches of the simulator's units.
   * Unset: no terminals (dispatches of simulator units go unanswered).
   */
  token?: string;
  seed: number;
  speed: number;
  units: number;
  /** SIM_BACKLOG_DAYS: simulated days of governance history replayed at the start (0: none). */
  backlogDays?: number;
}

/** Reads the SIM_* variables; every bad one is named, not just the first. */
export function parseSimConfig(env: NodeJS.ProcessEnv): { config?: SimConfig; errors: string[] } {
  const errors: string[] = [];
  const target = env.SIM_TARGET?.trim() || 'http://127.0.0.1:8080';
  if (!URL.canParse(target)) errors.push(`SIM_TARGET: not a URL: ${target}`);
  const key = env.SIM_INGEST_KEY?.trim() || env.INGEST_KEYS?.split(',').map((k) => k.trim()).find(Boolean) || '';
  if (!key) errors.push('SIM_INGEST_KEY: missing (set SIM_INGEST_KEY, or INGEST_KEYS whose first key is used)');
  const num = (name: string, dflt: number, ok: (n: number) => boolean, rule: string): number => {
    const raw = env[name]?.trim();
    if (!raw) return dflt;
    const n = Number(raw);
    if (!ok(n)) errors.push(`${name}: ${rule}, got "${raw}"`);
    return n;
  };
  const seed = num('SIM_SEED', 1, (n) => Number.isSafeInteger(n) && n >= 0, 'must be a non-negative integer');
  const speed = num('SIM_SPEED', 1, (n) => Number.isFinite(n) && n > 0 && n <= 1000, 'must be a number in (0, 1000]');
  const units = num('SIM_UNITS', 50, (n) => Number.isInteger(n) && n >= 0 && n <= 5000, 'must be an integer in [0, 5000]');
  const backlogDays = num('SIM_BACKLOG_DAYS', DEFAULT_BACKLOG_DAYS, (n) => Number.isFinite(n) && n >= 0 && n <= 60, 'must be a number of days in [0, 60]');
  if (errors.length > 0) return { errors };
  const token = env.SIM_TOKEN?.trim() || undefined;
  return { config: { target, key, readToken: token ?? key, ...(token ? { token } : {}), seed, speed, units, backlogDays }, errors };
}
