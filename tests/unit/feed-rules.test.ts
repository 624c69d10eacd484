import { describe, expect, it } from 'vitest';
import { checkFeed, DEFAULT_FEED_RULE, feedCauseGone, feedSubject, observeBatch, silenceAllowedMs, type FeedState } from '../../server/alerts/feed-rules.js';
import { heardSources } from '../../server/ingest/feed-rhythm.js';

const T0 = Date.parse('2026-11-28T08:00:00.000Z');
const MIN = 60_000;

/** A source that sent `count` batches `gapMs` apart, the last at `lastMs`. */
function rhythm(count: number, gapMs: number, lastMs = T0): FeedState {
  let s: ReturnType<typeof observeBatch> | null = null;
  for (let i = count - 1; i >= 0; i--) s = observeBatch(s, lastMs - i * gapMs);
  return { source: 'gw/1', ...s! };
}

describe('observeBatch (the mean gap)', () => {
  it('starts with no gap, takes the first gap as is, then moves 10% toward each new gap', () => {
    const a = observeBatch(null, T0);
    expect(a).toEqual({ lastMs: T0, gapMs: null, n: 0 });
    const b = observeBatch(a, T0 + 10_000);
    expect(b).toEqual({ lastMs: T0 + 10_000, gapMs: 10_000, n: 1 });
    const c = observeBatch(b, T0 + 30_000);
    expect(c).toEqual({ lastMs: T0 + 30_000, gapMs: 11_000, n: 2 });
  });
  it('ignores a batch older than the last (another server behind in time)', () => {
    const b = observeBatch(observeBatch(null, T0), T0 + 10_000);
    expect(observeBatch(b, T0 + 5_000)).toBe(b);
  });
  it('a regular rhythm has its period as mean gap', () => {
    const f = rhythm(30, 60_000);
    expect(f.n).toBe(29);
    expect(f.gapMs).toBeCloseTo(60_000, 6);
  });
});

describe('checkFeed', () => {
  it('allows max(5 × the usual gap, 10 minutes) of quiet', () => {
    expect(silenceAllowedMs(60_000, DEFAULT_FEED_RULE)).toBe(10 * MIN);
    expect(silenceAllowedMs(5 * MIN, DEFAULT_FEED_RULE)).toBe(25 * MIN);
  });

  it('a source sending every minute is silent after 10 minutes, not before', () => {
    const f = rhythm(30, MIN);
    expect(checkFeed(f, T0 + 10 * MIN).silent).toBe(false);
    const v = checkFeed(f, T0 + 11 * MIN);
    expect(v).toMatchObject({
      silent: true, subject: 'feed:gw/1', since: T0 + 10 * MIN,
      evidence: { source: 'gw/1', lastAt: new Date(T0).toISOString(), usualGapSeconds: 60, silentSeconds: 660 },
    });
  });

  it('a source sending every 5 minutes is silent after 25 minutes', () => {
    const f = rhythm(30, 5 * MIN);
    expect(checkFeed(f, T0 + 24 * MIN).silent).toBe(false);
    expect(checkFeed(f, T0 + 26 * MIN).silent).toBe(true);
  });

  it('needs at least 20 gaps before the rhythm counts', () => {
    expect(checkFeed(rhythm(20, MIN), T0 + 60 * MIN).silent).toBe(false); // 19 gaps
    expect(checkFeed(rhythm(21, MIN), T0 + 60 * MIN).silent).toBe(true);
  });

  it('one silence is one alert id however often it is checked; a later silence another', () => {
    const f = rhythm(30, MIN);
    const a = checkFeed(f, T0 + 11 * MIN);
    const b = checkFeed(f, T0 + 50 * MIN);
    const c = checkFeed({ ...f, lastMs: T0 + 20 * MIN }, T0 + 50 * MIN);
    if (!a.silent || !b.silent || !c.silent) throw new Error('expected silent');
    expect(a.alertId).toBe(b.alertId);
    expect(a.alertId).toMatch(/^feed_silent-[0-9a-f]{24}$/);
    expect(c.alertId).not.toBe(a.alertId);
  });

  it('honours a smaller rule (tests) and a custom factor', () => {
    const rule = { factor: 3, minSilentMs: 1000, minObservations: 5 };
    const f = rhythm(10, 200);
    expect(checkFeed(f, T0 + 999, rule).silent).toBe(false);
    expect(checkFeed(f, T0 + 1001, rule).silent).toBe(true);
  });
});

describe('feedCauseGone', () => {
  const f = rhythm(30, MIN);
  const evidence = { source: 'gw/1', lastAt: new Date(T0).toISOString() };
  it('is true once the source sent after the alert, or is no longer silent', () => {
    expect(feedCauseGone(evidence, f, T0 + 30 * MIN)).toBe(false);
    expect(feedCauseGone(evidence, { ...f, lastMs: T0 + 29 * MIN }, T0 + 30 * MIN)).toBe(true);
    expect(feedCauseGone({}, { ...f, lastMs: T0 + 29 * MIN }, T0 + 30 * MIN)).toBe(true);
    expect(feedCauseGone(evidence, null, T0)).toBe(true);
  });
});

describe('feedSubject and heardSources', () => {
  it('names the source, or its digest when too long for a subject', () => {
    expect(feedSubject('gw/1')).toBe('feed:gw/1');
    const long = feedSubject('x'.repeat(300));
    expect(long).toMatch(/^feed:~[0-9a-f]{40}$/);
  });
  it('takes each source once, from the events not rejected', () => {
    const raw = [{ source: 'a' }, { source: 'b' }, { source: 'a' }, { source: 'c' }, null, 'junk', { source: 5 }];
    expect(heardSources(raw, [1])).toEqual(['a', 'c']);
  });
});
