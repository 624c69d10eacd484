/**
 * Count-spike detector (DESIGN §8): one series per district × category of hourly counts,
 * evaluated when an hour has closed. Pure: no I/O, no clock, no libraries.
 *
 * Model, for the hour right after `history` (history[history.length - 1] is the hour before it):
 * - baseline = the same hour-of-week over the previous `weeks` weeks, shrunk toward the same
 *   hour-of-day over those weeks (7 × weeks days), itself shrunk toward the window's mean hourly
 *   count (pseudo-counts `weekPrior` weeks and `dayPrior` days). Sparse series (a district sees
 *   well under one event an hour) need the shrinkage: 8 same-hour-of-week counts alone are
 *   mostly zeros.
 * - level adjustment: × (events in the last `levelWeeks` weeks + `levelPrior`) / (what the window
 *   mean predicts for them + `levelPrior`), so a series whose level moved recently follows it.
 * - dispersion: the negative-binomial size θ (Var = μ + μ²/θ; θ → ∞ is Poisson), by the method
 *   of moments on the window's leave-one-out residuals, Σ((y−μ)² − y) / Σμ² = 1/θ, clamped to
 *   [`minSize`, `maxSize`]: the cap means the model never assumes less overdispersion than
 *   μ²/maxSize, which keeps a quiet window from making the detector trigger-happy.
 * - predictive size: 1/θ_pred = 1/θ + Var(μ̂)/μ², the mean's own estimation error folded in
 *   (gamma–Poisson), so p-values stay calibrated when μ comes from a handful of counts.
 * - surprise = P(Y ≥ observed) under NB(μ, θ_pred); fire when it is below `alpha` and the observed
 *   count is at least `minCount` (guards sparse series, where one or two events are always
 *   "surprising").
 *
 * Heaping of reported times at :00 and :30 (Chicago data: see scripts/spike-eval.ts): both marks
 * lie inside the hour [h:00, h+1:00), so an event rounded to h:00 or h:30 from anywhere in that
 * hour is still counted in hour h — hourly buckets are insensitive to within-hour heaping. The
 * residual effect is at the boundary: an event at h:50 rounded *up* to (h+1):00 lands one hour
 * late, and midnight (00:00) also collects records whose time is unknown; the hour-of-week
 * baseline learns a stable excess at a given hour (e.g. Sunday 00:00) as part of that hour's
 * expected count, so a persistent heap raises the expectation instead of firing alarms.
 */

export interface SpikeOptions {
  /** weeks of history behind the baseline (window = weeks × 168 hours) */
  weeks: number;
  /** fire when P(Y ≥ observed) < alpha */
  alpha: number;
  /** and the observed count is at least this */
  minCount: number;
  /** pseudo-weeks shrinking the hour-of-week mean toward the hour-of-day mean */
  weekPrior: number;
  /** pseudo-days shrinking the hour-of-day mean toward the window's hourly mean */
  dayPrior: number;
  /** weeks of recent history for the level adjustment (0 = none) */
  levelWeeks: number;
  /** pseudo-events damping the level adjustment */
  levelPrior: number;
  /** bounds on the NB size θ (smaller = more overdispersed) */
  minSize: number;
  maxSize: number;
  /** floor on the expected count */
  minMean: number;
  /** fold the estimated mean's sampling variance into the predictive dispersion (false = plug-in) */
  meanUncertainty: boolean;
}

/**
 * Defaults. alpha = 1e-4 with minCount 3: on the Chicago aggravated assaults (22 districts ×
 * every hour of 2018–2019 = 385,440 series-hours, every alarm counted as false) this fired
 * 24 times = 6.2e-5 per series-hour ≈ 0.05 alarms per district per month, about 1 a month
 * city-wide; without minCount the rate of p < α stayed at or under α for α = 1e-2 … 1e-5 —
 * see `npx tsx scripts/spike-eval.ts`.
 */
export const DEFAULT_SPIKE_OPTIONS: Readonly<SpikeOptions> = Object.freeze({
  weeks: 8,
  alpha: 1e-4,
  minCount: 3,
  weekPrior: 4,
  dayPrior: 7,
  levelWeeks: 2,
  levelPrior: 20,
  minSize: 0.5,
  maxSize: 20,
  minMean: 0.01,
  meanUncertainty: true,
});

export interface SpikeEvaluation {
  /** false when history is shorter than the window: nothing is fitted and nothing fires */
  ready: boolean;
  expected: number;
  /** NB size of the predictive distribution the p-value uses: the fitted θ widened by the uncertainty of the estimated mean */
  dispersion: number;
  /** NB size θ fitted on the window (Var = μ + μ²/θ; θ → ∞ is Poisson) */
  fittedSize: number;
  /** P(Y ≥ observed) under NB(expected, dispersion) */
  pValue: number;
  fire: boolean;
}

// ---------------------------------------------------------------- NB tail

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln Γ(y + θ) − ln Γ(θ) without cancellation for moderate y. */
function logRising(theta: number, y: number): number {
  if (y <= 1000) {
    let s = 0;
    for (let i = 0; i < y; i++) s += Math.log(theta + i);
    return s;
  }
  return logGamma(y + theta) - logGamma(theta);
}

/** ln P(Y = y), Y ~ NB(mean μ, size θ); θ = Infinity gives Poisson(μ). */
export function nbLogPmf(y: number, mean: number, size: number): number {
  if (y < 0 || !Number.isInteger(y)) return -Infinity;
  if (mean <= 0) return y === 0 ? 0 : -Infinity;
  if (!Number.isFinite(size)) return -mean + y * Math.log(mean) - logGamma(y + 1);
  return logRising(size, y) - logGamma(y + 1) - size * Math.log1p(mean / size) + y * Math.log(mean / (size + mean));
}

/**
 * P(Y ≥ y) for Y ~ NB(mean, size) (size = Infinity: Poisson). Below or at the mean it is
 * 1 − Σ_{n<y} pmf(n) (the tail is not small there); above it, the tail is summed directly from
 * pmf(y) with the ratio recurrence pmf(n+1)/pmf(n) = (n+θ)/(n+1) · μ/(θ+μ), which decreases and
 * is < 1 past the mean, so the remainder is bounded geometrically — no cancellation, accurate
 * to relative ~1e-14 even for p-values of 1e-300.
 */
export function nbUpperTail(y: number, mean: number, size: number): number {
  if (y <= 0) return 1;
  y = Math.ceil(y);
  if (mean <= 0) return 0;
  const poisson = !Number.isFinite(size);
  const q = poisson ? 0 : mean / (size + mean);
  const ratio = (n: number): number => (poisson ? mean / (n + 1) : ((n + size) / (n + 1)) * q);
  if (y <= mean) {
    let term = Math.exp(nbLogPmf(0, mean, size));
    let lower = term;
    for (let n = 0; n < y - 1; n++) {
      term *= ratio(n);
      lower += term;
    }
    return Math.min(1, Math.max(0, 1 - lower));
  }
  const logFirst = nbLogPmf(y, mean, size);
  let term = 1;
  let sum = 1;
  for (let n = y; n < y + 1_000_000; n++) {
    const r = ratio(n);
    term *= r;
    sum += term;
    // remaining terms ≤ term · r/(1−r) since the ratio keeps decreasing
    if (r < 1 && (term * r) / (1 - r) < 1e-16 * sum) break;
  }
  return Math.min(1, Math.exp(logFirst + Math.log(sum)));
}

// ---------------------------------------------------------------- model

const WEEK = 168;
const DAY = 24;

/** Fits the baseline for the hour at index history.length and scores `observed` against it. */
export function evaluateHour(history: ArrayLike<number>, observed: number, options: Partial<SpikeOptions> = {}): SpikeEvaluation {
  const o: SpikeOptions = { ...DEFAULT_SPIKE_OPTIONS, ...options };
  const L = history.length;
  const N = o.weeks;
  const W = N * WEEK;
  if (N < 2 || L < W) return { ready: false, expected: NaN, dispersion: NaN, fittedSize: NaN, pValue: 1, fire: false };
  const start = L - W;

  // sums per hour-of-week and hour-of-day, indexed relative to the target hour (offset 0 = same hour)
  const howSum = new Float64Array(WEEK);
  const hodSum = new Float64Array(DAY);
  let total = 0;
  for (let t = start; t < L; t++) {
    const y = history[t]!;
    const k = (t - start) % WEEK; // start ≡ L (mod 168), so k = hour-of-week offset from the target
    howSum[k] = howSum[k]! + y;
    hodSum[k % DAY] = hodSum[k % DAY]! + y;
    total += y;
  }
  const mean = total / W;
  const hodMean = new Float64Array(DAY);
  for (let h = 0; h < DAY; h++) hodMean[h] = (hodSum[h]! + o.dayPrior * mean) / (7 * N + o.dayPrior);

  // dispersion: method of moments on leave-one-out residuals (the cell's own count left out of its mean)
  let num = 0;
  let den = 0;
  for (let t = start; t < L; t++) {
    const y = history[t]!;
    const k = (t - start) % WEEK;
    const mu = (howSum[k]! - y + o.weekPrior * hodMean[k % DAY]!) / (N - 1 + o.weekPrior);
    num += (y - mu) * (y - mu) - y;
    den += mu * mu;
  }
  const inv = den > 0 ? num / den : 0;
  const size = inv > 0 ? Math.min(o.maxSize, Math.max(o.minSize, 1 / inv)) : o.maxSize;

  let expected = (howSum[0]! + o.weekPrior * hodMean[0]!) / (N + o.weekPrior);
  if (o.levelWeeks > 0) {
    const R = Math.min(o.levelWeeks, N) * WEEK;
    let recent = 0;
    for (let t = L - R; t < L; t++) recent += history[t]!;
    expected *= (recent + o.levelPrior) / (R * mean + o.levelPrior);
  }
  expected = Math.max(o.minMean, expected);
  // predictive distribution: the mean is itself estimated from ~N counts, so fold its sampling
  // variance into the overdispersion (gamma–Poisson: 1/θ_pred = 1/θ + Var(μ̂)/μ²); without this
  // the plug-in p-values are anti-conservative in the deep tail (measured ~1.6× α at 1e-3)
  const varY = expected + (expected * expected) / size;
  const c = o.weekPrior;
  const varMu = (varY * (N + (c * c) / (7 * N + o.dayPrior))) / ((N + c) * (N + c));
  const dispersion = o.meanUncertainty ? 1 / (1 / size + varMu / (expected * expected)) : size;
  const pValue = nbUpperTail(observed, expected, dispersion);
  return { ready: true, expected, dispersion, fittedSize: size, pValue, fire: pValue < o.alpha && observed >= o.minCount };
}
