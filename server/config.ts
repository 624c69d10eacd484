import path from 'node:path';
import { z } from 'zod';

const bool01 = z.enum(['0', '1']).transform((v) => v === '1');
const port = z.coerce.number().int().min(0).max(65535);
const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');
const csvList = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: redisUrl.optional(),
  TELEMETRY_REDIS_URL: redisUrl.optional(),
  REDIS_SENTINELS: z.string().optional(),
  REDIS_MASTER_NAME: z.string().optional(),
  REDIS_REPLICA_ACK: bool01.default(false),
  DATA_DIR: z.string().min(1).default('./var'),
  ARCHIVE_DIR: z.string().min(1).optional(),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // DESIGN §11: network logs must be kept six months, so never less than 180 days
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(180, 'must be at least 180 (network logs are kept six months)').max(36500).default(180),
  TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  JURISDICTION_FILE: z.string().min(1).optional(),
  GRID_CELL_METERS: z.coerce.number().int().min(50).max(5000).default(500),
  TILE_URL: z.url().optional(),
  TILE_CRS: z.enum(['wgs84', 'gcj02']).default('wgs84'),
  ALLOWED_ORIGINS: csvList.default([]),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  INGEST_KEYS: csvList.default([]),
  INGEST_RATE_REQUESTS: z.coerce.number().int().min(1).default(100),
  INGEST_RATE_EVENTS: z.coerce.number().int().min(1).default(50_000),
  DEMO: bool01.default(false),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  // Demo mode only (`npm start` makes both at every start): the simulator's own ingest key
  // (scoped to the simulator's event types and `sim/*` sources) and machine token (duty_officer,
  // whole city) for its unit terminals. The server stores their SHA-256 as the credentials
  // `simulator` and `simulator-terminals`, replacing the previous secrets; ignored when DEMO=0.
  DEMO_SIM_INGEST_KEY: z.string().regex(/^pgk_[A-Za-z0-9_-]{43}$/, 'must be pgk_ and 43 base64url characters (32 random bytes)').optional(),
  DEMO_SIM_TOKEN: z.string().regex(/^pgt_[A-Za-z0-9_-]{43}$/, 'must be pgt_ and 43 base64url characters (32 random bytes)').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // DESIGN §7, §8: a dispatched unit acknowledges within this, else an ack_timeout alert
  ACK_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  // an unacknowledged critical alert goes to the leader on duty after this
  ESCALATE_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  // DESIGN §8: a unit on duty without a fix for this long raises a stale_unit alert
  STALE_UNIT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(120),
  // DESIGN §8: a feed is silent after max(5 × its usual gap, this)
  FEED_SILENT_MIN_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
  // DESIGN §8: every cell's risk recomputed and re-ranked this often (cells with new entries within seconds)
  RISK_FULL_PASS_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  // timer and alert jobs one worker process runs at once
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

type Env = z.infer<typeof envSchema>;

/** The process configuration: parsed once, frozen. */
export interface Config extends Omit<Env, 'REDIS_URL'> {
  REDIS_URL: string;
  TELEMETRY_REDIS_URL: string;
  ARCHIVE_DIR: string;
}

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; `requireRedis` demands REDIS_URL (serve and worker need it). */
export function parseConfig(env: NodeJS.ProcessEnv, opts: { requireRedis?: boolean } = {}): Readonly<Config> {
  // an empty variable means unset (z.coerce would turn '' into 0)
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(env)');
      problems.push(`${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`);
    }
  }
  if (opts.requireRedis !== false && !env.REDIS_URL) {
    problems.push('REDIS_URL: required (npm start launches Redis itself; `serve` and `worker` need a URL)');
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const redis = e.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return Object.freeze({
    ...e,
    REDIS_URL: redis,
    TELEMETRY_REDIS_URL: e.TELEMETRY_REDIS_URL ?? redis,
    ARCHIVE_DIR: e.ARCHIVE_DIR ?? path.join(e.DATA_DIR, 'archive'),
    ALLOWED_ORIGINS: Object.freeze([...e.ALLOWED_ORIGINS]) as string[],
    INGEST_KEYS: Object.freeze([...e.INGEST_KEYS]) as string[],
  });
}
