import { createHash } from 'node:crypto';
import type { ObjectKind } from '../../shared/objects.js';

/**
 * A login name as part of a key: URI-encoded, with lone surrogates (which encodeURIComponent
 * refuses with a URIError) as U+FFFD — no account has such a name (usernames are ASCII).
 */
const namePart = (username: string) =>
  encodeURIComponent(username.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** Every Redis key of the durable store, in one place (no keyPrefix: BullMQ refuses it). */
export const keys = {
  log: 'log',
  logEpoch: 'log:epoch',
  /** seq of the last entry written to the archive: trimming never passes it */
  archivedThrough: 'log:archived',
  /** one archive run at a time */
  archiveLock: 'log:archive:lock',
  object: (kind: ObjectKind, id: string) => `obj:${kind}:${id}`,
  timeline: (kind: ObjectKind, id: string) => `tl:${kind}:${id}`,
  dedupe: (source: string, id: string) => `dd:${createHash('sha1').update(source).update('\n').update(id).digest('hex')}`,
  incidentsByStatus: (jurisdiction: string, status: string) => `idx:incident:${jurisdiction}:${status}`,
  /** open incidents of one priority in a jurisdiction, not linked as duplicates (the wall's open P1) */
  incidentsOpenByPriority: (jurisdiction: string, priority: number) => `idx:incident:${jurisdiction}:open:p${priority}`,
  incidentsUnlocated: 'idx:incident:unlocated',
  incidentsOpenGeo: 'geo:incident:open',
  unitsIn: (jurisdiction: string) => `idx:unit:${jurisdiction}`,
  /** premise history (DESIGN §7): located incidents and disputes by place, one GEO set per kind and month (YYYY-MM, UTC) */
  premiseGeo: (kind: 'incident' | 'dispute', month: string) => `geo:premise:${kind}:${month}`,
  /** grid-worker reports (`gridworker.report`) with a location, per grid and kind (visit, hazard, dispute_lead), by fact time: entry ids */
  gridworkerReports: (gridId: string, kind: string) => `idx:gwreports:${gridId}:${kind}`,
  alertsByState: (jurisdiction: string, state: string) => `idx:alert:${jurisdiction}:${state}`,
  /** governance cases located in a jurisdiction, per stage, by last change */
  casesByStage: (kind: string, jurisdiction: string, stage: string) => `idx:${kind}:${jurisdiction}:${stage}`,
  /** open cases a jurisdiction is responsible for, by deadline */
  casesResponsible: (kind: string, jurisdiction: string) => `idx:${kind}:resp:${jurisdiction}`,
  /** petitions of one (pseudonymous) petitioner, by filing time */
  petitionerPetitions: (petitioner: string) => `idx:petitioner:${createHash('sha1').update(petitioner).digest('hex')}`,
  /** supervision orders on a case, by issue time */
  supervisionsOf: (caseRef: string) => `idx:supervision:case:${caseRef}`,
  /** held (version 1) while an alert of this kind and subject (else scope) is not cleared: checked absent by every raise */
  alertOpen: (kind: string, subjectOrScope: string) => `alert:open:${kind}:${subjectOrScope}`,
  unitFix: (unitId: string) => `fix:${unitId}`,
  /** count spikes (DESIGN §8, server/jobs/spike-jobs.ts): one series' incident reports per hour (field: hour start, ms UTC) */
  spikeCounts: (district: string, category: string) => `spikecount:${district}:${category}`,
  /** the seqs already counted in a district's hour (70 days) */
  spikeSeen: (district: string, hourStart: number) => `spikecount:seen:${district}:${hourStart}`,
  /** every series ([district, category] as JSON) by the first hour counted (ms) */
  spikeSeries: 'spikecount:series',
  /** risk inputs (DESIGN §8, server/jobs/risk-jobs.ts): a cell's crime reports (incident id → report time, ms) */
  riskCrime: (gridId: string) => `risk:crime:${gridId}`,
  /** a cell's disputes and petitions (`<kind>:<id>` → opened, ms) */
  riskCases: (gridId: string) => `risk:cases:${gridId}`,
  /** every cell with risk inputs */
  riskCells: 'risk:cells',
  /** the latest indicator of every cell: grid id → `<seq> <CellIndicator JSON>` */
  riskIndicators: 'risk:ind',
  /** the top-risk cells of the last full pass (grid → crime risk), for coverage gaps */
  riskTop: 'risk:top',
  /** patrol coverage (server/jobs/coverage-jobs.ts): sampled unit presences in a cell (`<ms>:<unit>` → ms) */
  patrolPresence: (gridId: string) => `patrol:presence:${gridId}`,
  /** `patrol.checkin` facts in a cell (`<event id>|<dwell ms>` → time), written by the commit */
  patrolCheckins: (gridId: string) => `patrol:checkin:${gridId}`,
  /** grid → the latest sampled visit (ms) */
  patrolLastVisit: 'patrol:lastvisit',
  /** since when (ms) the sampler has been watching */
  patrolWatchedSince: 'patrol:watched',
  /** cells with an open coverage-gap alert */
  patrolGaps: 'patrol:gaps',
  /** an ingest source's rhythm (DESIGN §8 silent feeds): last batch time (ms), mean gap (ms), gaps seen */
  feed: (source: string) => `feed:${source}`,
  /** every ingest source by its last batch time (ms) */
  feeds: 'feeds',
  /**
   * response times (GET /stats?metric=wall, server/ingest/stats-ops.ts): first dispatches and first
   * arrivals of incidents located in a jurisdiction (every element of the incident's chain), one
   * sorted set per UTC day of the fact (YYYY-MM-DD), scored by the fact's time (ms); members
   * `<incidentId>|<seconds from the SLA clock start>` and, for arrivals, `|<target seconds>`.
   * Written by the commit; each key expires STATS_DAY_TTL_SECONDS after its last write.
   */
  statsDispatch: (jurisdiction: string, utcDay: string) => `stats:dispatch:${jurisdiction}:${utcDay}`,
  statsArrival: (jurisdiction: string, utcDay: string) => `stats:arrival:${jurisdiction}:${utcDay}`,
  /**
   * daily counters (GET /stats?metric=leader, /reports/daily; server/ingest/daily-ops.ts): per
   * jurisdiction (every element of the chain) and UTC day (YYYY-MM-DD), a hash of counters, field
   * `<counter>@<UTC hour HH>`, incremented by the commit (HI op) with each fact counted, and by the
   * worker's coverage job (`cov_chk` / `cov_ok`: top-risk cells judged / covered per run).
   * Expires STATS_DAILY_TTL_SECONDS after its last write.
   */
  statsDaily: (jurisdiction: string, utcDay: string) => `stats:daily:${jurisdiction}:${utcDay}`,
  /** one coverage sample per coverage-job run time (ms): a retried or concurrent run does not count twice */
  statsCoverageRun: (slotStart: number) => `stats:covrun:${slotStart}`,
  /** the leader view's targets (JSON, shared/leader.ts): `{targets, updatedAt, updatedBy}` */
  leaderTargets: 'settings:targets',
  /** shift handovers (`duty.handover`) placed in a jurisdiction (every element of the entry's chain), by fact time: entry ids */
  handoversIn: (jurisdiction: string) => `idx:handover:${jurisdiction}`,
  /** every handover: entry id → `<seq> <handover JSON>` (HF op, written with the entry) */
  handovers: 'duty:handover',
  /** the duty roster (JSON, shared/wall.ts dutyRosterSchema): per scope, rotations of duty officers and leaders */
  dutyRoster: 'duty:roster',
  user: (username: string) => `user:${username}`,
  users: 'users',
  session: (sid: string) => `sess:${sid}`,
  userSessions: (userId: string) => `user:sessions:${userId}`,
  /** failed-login state of one (account, address): consecutive failures and the time of the next allowed attempt */
  loginThrottle: (username: string, address: string) => `login:thr:${namePart(username)}:${address}`,
  /** consecutive failed logins of an account across addresses */
  loginFailures: (username: string) => `login:fails:${namePart(username)}`,
  /** present while an account is locked (lifted by admins) */
  loginLock: (username: string) => `login:lock:${namePart(username)}`,
  /** ingest keys and machine tokens: the record, the set of ids, the lookup by secret digest, last use */
  credential: (id: string) => `cred:${id}`,
  credentials: 'creds',
  credentialByDigest: (sha256Hex: string) => `cred:digest:${sha256Hex}`,
  credentialUsed: (id: string) => `cred:used:${id}`,
  /** the first answer of a command sent with an Idempotency-Key, per (user, key), 24 h */
  idempotency: (username: string, key: string) => `idem:${namePart(username)}:${createHash('sha256').update(key).digest('hex')}`,
  workerHeartbeat: 'workers:heartbeat',
  demoSeeded: 'demo:seeded',
  /** the audit trail: a stream of hash-chained records (server/audit/) */
  audit: 'audit',
  /** SHA-256 of the last audit record's stored JSON (the chain head) */
  auditHead: 'audit:head',
} as const;

/** Keys of the telemetry (volatile) store. */
export const telemetryKeys = {
  position: (unitId: string) => `pos:${unitId}`,
  trail: (unitId: string) => `trail:${unitId}`,
  unitsGeo: 'geo:units',
  /** every unit's latest fix time (ms), to tell stale units without reading their fixes */
  fixTimes: 'fix:at',
} as const;

/** Per-day response-time sets live this long after their last write (today, yesterday and a margin). */
export const STATS_DAY_TTL_SECONDS = 40 * 24 * 3600;

/** Daily counter hashes live this long after their last write (90 days shown, a year of reports, a margin). */
export const STATS_DAILY_TTL_SECONDS = 400 * 24 * 3600;

/** Dedupe records live 7 days (DESIGN §3). */
export const DEDUPE_TTL_SECONDS = 7 * 24 * 3600;

/** Command answers stored under an Idempotency-Key live 24 h (DESIGN §4). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
