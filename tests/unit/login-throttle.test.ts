// The throttling arithmetic of server/auth/throttle.ts (the Redis side is in the integration test).
import { describe, expect, it } from 'vitest';
import { delayAfterFailures, delayTableMs, retryAfterSeconds, THROTTLE } from '../../server/auth/throttle.js';

describe('delayAfterFailures', () => {
  it('is 0 for the first 4 failures, then 1 s doubling with every further one', () => {
    expect([1, 2, 3, 4].map(delayAfterFailures)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map(delayAfterFailures)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  });

  it('is capped at 15 minutes, however many failures', () => {
    expect(delayAfterFailures(15)).toBe(900);
    expect(delayAfterFailures(16)).toBe(900);
    expect(delayAfterFailures(1_000)).toBe(900);
    expect(delayAfterFailures(Number.MAX_SAFE_INTEGER)).toBe(900);
  });

  it('treats 0 and negative counts as no failure', () => {
    expect(delayAfterFailures(0)).toBe(0);
    expect(delayAfterFailures(-3)).toBe(0);
  });

  it('never decreases', () => {
    for (let n = 1; n < 40; n++) expect(delayAfterFailures(n + 1)).toBeGreaterThanOrEqual(delayAfterFailures(n));
  });
});

describe('delayTableMs (what the Lua script indexes)', () => {
  it('lists the delay after the 1st, 2nd, … failure in ms, ending at the first capped one', () => {
    const t = delayTableMs();
    expect(t.slice(0, 6)).toEqual([0, 0, 0, 0, 1000, 2000]);
    expect(t.at(-1)).toBe(THROTTLE.maxDelaySeconds * 1000);
    expect(t.at(-2)).toBeLessThan(THROTTLE.maxDelaySeconds * 1000);
    t.forEach((ms, i) => expect(ms).toBe(delayAfterFailures(i + 1) * 1000));
  });
});

describe('retryAfterSeconds', () => {
  it('rounds a remaining wait up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(999)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(900_000)).toBe(900);
  });
});

describe('the policy', () => {
  it('locks an account only after 20 failures, well past one address\'s free attempts', () => {
    expect(THROTTLE.lockAfter).toBe(20);
    expect(THROTTLE.freeFailures).toBe(4);
    // time one address needs for 20 failures on its own: the delays after failures 5..19
    const seconds = Array.from({ length: 15 }, (_, i) => delayAfterFailures(i + 5)).reduce((a, b) => a + b, 0);
    expect(seconds).toBeGreaterThan(3600);
  });
});
