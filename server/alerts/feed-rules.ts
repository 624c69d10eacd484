// Rules of the silent-feed alert (DESIGN §8: "silent feeds: a source quiet for longer than its
// usual gap"). Pure: POST /events records per source the time of its last accepted batch and an
// exponentially weighted mean of the gaps between batches (server/http/ingest-routes.ts); the
// `silent-feeds` maintenance job (server/jobs/health-jobs.ts) reads them, asks these functions
// and commits what they answer.
import { createHash } from 'node:crypto';
import { healthAlertId } from './unit-rules.js';

export const FEED_SILENT_KIND = 'feed_silent';
/** Weight of the newest gap in the mean gap. */
export const FEED_GAP_ALPHA = 0.1;

/** The subject of a source's alert; a source too long for a subject (> 190 characters) goes by its digest. */
export function feedSubject(source: string): string {
  return source.length <= 190 ? `feed:${source}` : `feed:~${createHash('sha1').update(source).digest('hex')}`;
}

/** What is known about a source: last batch time (ms), mean gap (ms) and the number of gaps seen. */
export interface FeedState {
  source: string;
  lastMs: number;
  gapMs: number | null;
  n: number;
}

export interface FeedRule {
  /** a source is silent after this many usual gaps... */
  factor: number;
  /** ...and never sooner than this (ms) */
  minSilentMs: number;
  /** gaps seen before the rhythm counts */
  minObservations: number;
}

export const DEFAULT_FEED_RULE: FeedRule = { factor: 5, minSilentMs: 10 * 60_000, minObservations: 20 };

/** The next state after a batch at `atMs` (what the ingest script computes, here for tests and docs). */
export function observeBatch(prev: Omit<FeedState, 'source'> | null, atMs: number, alpha = FEED_GAP_ALPHA): Omit<FeedState, 'source'> {
  if (!prev) return { lastMs: atMs, gapMs: null, n: 0 };
  if (atMs < prev.lastMs) return prev;
  const g = atMs - prev.lastMs;
  return { lastMs: atMs, gapMs: prev.gapMs === null ? g : prev.gapMs + alpha * (g - prev.gapMs), n: prev.n + 1 };
}

/** How long (ms) a source may be quiet: max(factor × usual gap, minimum). */
export const silenceAllowedMs = (gapMs: number, rule: FeedRule) => Math.max(rule.factor * gapMs, rule.minSilentMs);

export interface FeedSilentEvidence { source: string; lastAt: string; usualGapSeconds: number; silentSeconds: number }

export type FeedVerdict =
  | { silent: false }
  | { silent: true; alertId: string; subject: string; since: number; evidence: FeedSilentEvidence };

/**
 * Whether a source is silent at `now`: it has a rhythm (at least `minObservations` gaps) and has
 * been quiet longer than max(factor × its mean gap, minimum). The alert id derives from (source,
 * last batch time): the same silence is one alert however often the job runs.
 */
export function checkFeed(f: FeedState, now: number, rule: FeedRule = DEFAULT_FEED_RULE): FeedVerdict {
  if (f.gapMs === null || !Number.isFinite(f.gapMs) || f.n < rule.minObservations || !Number.isFinite(f.lastMs)) return { silent: false };
  const allowed = silenceAllowedMs(f.gapMs, rule);
  const quiet = now - f.lastMs;
  if (quiet <= allowed) return { silent: false };
  const lastAt = new Date(f.lastMs).toISOString();
  return {
    silent: true,
    alertId: healthAlertId('feed_silent', f.source, lastAt),
    subject: feedSubject(f.source),
    since: f.lastMs + allowed,
    evidence: { source: f.source, lastAt, usualGapSeconds: Math.round(f.gapMs / 100) / 10, silentSeconds: Math.floor(quiet / 1000) },
  };
}

/** Whether an open feed_silent alert has lost its cause: the source sent after the alert's last time. */
export function feedCauseGone(evidence: Partial<FeedSilentEvidence> | undefined, f: FeedState | null, now: number, rule: FeedRule = DEFAULT_FEED_RULE): boolean {
  if (!f) return true;
  if (evidence?.lastAt && f.lastMs > Date.parse(evidence.lastAt)) return true;
  return !checkFeed(f, now, rule).silent;
}
