import type { PublicUser } from './api.js';
import type { UnitStatus } from './events.js';
import type { Entry } from './objects.js';

/** Live protocol constants (DESIGN §5). */
export const LIVE = {
  path: '/socket.io',
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5_000,
  /** an `events` frame (possibly empty) at least this often */
  heartbeatMs: 5_000,
  /** positions: at most one frame per delivery room this often, one fix per unit per second */
  positionsFlushMs: 250,
  positionsPerUnitMs: 1_000,
  /** resume reads and sends at most this many entries per frame */
  resumePage: 500,
  /** a client further behind than this reloads its snapshots */
  maxBehind: 10_000,
  /** a socket whose send buffer passes this is cut off and resumes from lastSeq */
  maxBufferedBytes: 4 * 1024 * 1024,
} as const;

/** `hello`: sent first on every connection. */
export interface Hello {
  user: PublicUser;
  scopes: string[];
  logEpoch: string;
  headSeq: string | null;
  serverTime: string;
  version: string;
}

/** `events`: entries in seq order; `headSeq` is this instance's delivered position. */
export interface EventsFrame {
  events: Entry[];
  headSeq: string | null;
  degraded?: string[];
}

/** One unit's fix in a `positions` frame; `at` is the fix's time (ISO 8601). */
export interface LivePosition {
  unitId: string;
  lat: number;
  lon: number;
  speed: number | null;
  heading: number | null;
  status: UnitStatus | null;
  at: string;
}

export interface PositionsFrame {
  units: LivePosition[];
}

/** Why the client must reload its snapshots before resuming. */
export type ResyncReason = 'malformed_last_seq' | 'epoch_changed' | 'ahead_of_log' | 'behind_retention' | 'too_far_behind';

export interface Resync {
  reason: ResyncReason;
}

export interface Presence {
  objectKind: string;
  objectId: string;
  users: { id: string; displayName: string }[];
}

export interface ServerToClientEvents {
  hello: (h: Hello) => void;
  events: (f: EventsFrame) => void;
  positions: (f: PositionsFrame) => void;
  resync: (r: Resync) => void;
  presence: (p: Presence) => void;
}

export interface ClientToServerEvents {
  /** announce (or with `null`, stop) viewing an object */
  view: (v: { objectKind: string; objectId: string } | null) => void;
}

/** `auth` of the handshake; clients pass it as a function so reconnects carry current values. */
export interface HandshakeAuth {
  token?: string;
  lastSeq?: string;
  logEpoch?: string;
}

/**
 * `connect_error` data codes: `unauthorized` → go to login; `unavailable` → retry with backoff;
 * `forbidden` → this account may not read the live feed (auditors): do not retry.
 */
export type ConnectErrorCode = 'unauthorized' | 'unavailable' | 'forbidden' | 'forbidden_origin';
