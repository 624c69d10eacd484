import { describe, expect, it } from 'vitest';
import { DEFAULT_SPIKE_OPTIONS, evaluateHour, logGamma, nbLogPmf, nbUpperTail } from '../../server/alerts/spike.js';

// seeded PRNG (mulberry32)
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

// Marsaglia–Tsang gamma(shape, scale 1)
function gamma(u: () => number, shape: number): number {
  if (shape < 1) return gamma(u, shape + 1) * Math.pow(u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x ** 4 || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function poisson(u: () => number, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = u();
  while (p > l) {
    k++;
    p *= u();
  }
  return k;
}

/** NB(mean, size) by the gamma–Poisson mixture */
function nb(u: () => number, mean: number, size: number): number {
  return poisson(u, Number.isFinite(size) ? (gamma(u, size) * mean) / size : mean);
}

/** a stationary series with an hour-of-day profile around `mean` */
function series(seed: number, hours: number, mean: number, size: number): { counts: number[]; mu: number[] } {
  const u = rng(seed);
  const counts: number[] = [];
  const mu: number[] = [];
  for (let t = 0; t < hours; t++) {
    const m = mean * (1 + 0.5 * Math.sin((2 * Math.PI * (t % 24)) / 24));
    mu.push(m);
    counts.push(nb(u, m, size));
  }
  return { counts, mu };
}

describe('negative-binomial tail', () => {
  it('logGamma matches factorials and Γ(1/2)', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('size 1, mean 1 is the geometric distribution: P(Y ≥ y) = 2^-y, also deep in the tail', () => {
    for (const y of [0, 1, 2, 5, 10]) expect(nbUpperTail(y, 1, 1)).toBeCloseTo(2 ** -y, 14);
    expect(nbUpperTail(100, 1, 1) / 2 ** -100).toBeCloseTo(1, 10);
    expect(nbUpperTail(1000, 1, 1) / 2 ** -1000).toBeCloseTo(1, 8);
  });

  it('mean 2, size 2 summed by hand: pmf(n) = (n+1)/2^(n+2)', () => {
    expect(Math.exp(nbLogPmf(3, 2, 2))).toBeCloseTo(4 / 32, 14);
    expect(nbUpperTail(2, 2, 2)).toBeCloseTo(0.5, 14); // 1 − 1/4 − 2/8
    expect(nbUpperTail(5, 2, 2)).toBeCloseTo(7 / 64, 14);
    expect(nbUpperTail(3, 2, 2)).toBeCloseTo(1 - 1 / 4 - 2 / 8 - 3 / 16, 14);
  });

  it('tends to the Poisson tail as the size grows', () => {
    const poisson3 = 1 - 2.5 / Math.E; // P(Y ≥ 3), Poisson(1)
    expect(nbUpperTail(3, 1, Infinity)).toBeCloseTo(poisson3, 14);
    expect(nbUpperTail(3, 1, 1e8)).toBeCloseTo(poisson3, 7);
    expect(nbUpperTail(3, 1, 1e3)).toBeCloseTo(poisson3, 3);
    expect(nbUpperTail(3, 1, 10)).toBeGreaterThan(poisson3); // overdispersion fattens the tail
    // Poisson(0.1), P(Y ≥ 5) = Σ_{n≥5} e^-0.1 0.1^n / n!
    let s = 0;
    for (let n = 5; n < 30; n++) s += (Math.exp(-0.1) * 0.1 ** n) / Math.exp(logGamma(n + 1));
    expect(nbUpperTail(5, 0.1, Infinity) / s).toBeCloseTo(1, 12);
  });

  it('is 1 at zero, monotone, and handles a zero mean', () => {
    expect(nbUpperTail(0, 3, 2)).toBe(1);
    let prev = 1;
    for (let y = 1; y < 60; y++) {
      const p = nbUpperTail(y, 3, 2);
      expect(p).toBeLessThanOrEqual(prev);
      expect(p).toBeGreaterThan(0);
      prev = p;
    }
    expect(nbUpperTail(1, 0, 2)).toBe(0);
  });
});

describe('evaluateHour', () => {
  it('is not ready (and never fires) before a full window of history', () => {
    const r = evaluateHour(new Array(8 * 168 - 1).fill(1), 50);
    expect(r.ready).toBe(false);
    expect(r.fire).toBe(false);
  });

  it('recovers the mean and a Poisson-like series gets a large size', () => {
    const { counts, mu } = series(1, 8 * 168, 5, Infinity);
    const r = evaluateHour(counts, 5);
    expect(r.ready).toBe(true);
    expect(r.expected).toBeGreaterThan(mu[0]! * 0.75);
    expect(r.expected).toBeLessThan(mu[0]! * 1.25);
    expect(r.fittedSize).toBeGreaterThanOrEqual(10);
    expect(r.dispersion).toBeLessThan(r.fittedSize); // widened by the mean's estimation error
  });

  it('fires on an injected spike of 4× the mean and not on an ordinary hour', () => {
    const { counts, mu } = series(2, 10 * 168, 8, 20);
    const history = counts.slice(0, 9 * 168);
    const m = mu[9 * 168]!;
    const spike = evaluateHour(history, Math.round(4 * m));
    expect(spike.fire).toBe(true);
    expect(spike.pValue).toBeLessThan(DEFAULT_SPIKE_OPTIONS.alpha);
    expect(evaluateHour(history, Math.round(m)).fire).toBe(false);
    expect(evaluateHour(history, Math.round(2 * m)).fire).toBe(false);
  });

  it('respects the minimum count in a sparse series (mean 1/11 an hour)', () => {
    const history = Array.from({ length: 8 * 168 }, (_, t) => (t % 11 === 3 ? 1 : 0));
    const two = evaluateHour(history, 2, { alpha: 2e-2 });
    expect(two.expected).toBeCloseTo(0.1, 1);
    expect(two.pValue).toBeLessThan(2e-2);
    expect(two.fire).toBe(false); // below minCount 3
    expect(evaluateHour(history, 3, { alpha: 2e-2 }).fire).toBe(true);
    const six = evaluateHour(history, 6);
    expect(six.fire).toBe(true);
  });

  it('stays under its false-alarm bound on a long stationary overdispersed series', () => {
    const size = 2;
    const { counts } = series(7, 8 * 168 + 20_000, 1.5, size);
    const alphas = [0.01, 0.001];
    const hits = alphas.map(() => 0);
    let fires = 0;
    let evaluated = 0;
    for (let t = 8 * 168; t < counts.length; t++) {
      const r = evaluateHour(counts.slice(t - 8 * 168, t), counts[t]!);
      evaluated++;
      alphas.forEach((a, i) => {
        if (r.pValue < a) hits[i]!++;
      });
      if (r.fire) fires++;
    }
    // P(p < α) ≤ α for an exact model; allow 25% for the estimated dispersion and level, plus
    // three binomial standard deviations (measured over seeds 7, 11, 23, 42, 99: 0.88–1.02% at
    // α = 1%, 0.09–0.15% at α = 0.1%)
    alphas.forEach((a, i) => expect(hits[i]! / evaluated).toBeLessThan(1.25 * a + 3 * Math.sqrt(a / evaluated)));
    // the default alpha 1e-4: at most a few alarms in 20,000 hours
    expect(fires / evaluated).toBeLessThan(3 * DEFAULT_SPIKE_OPTIONS.alpha);
  });
});
