/** A token bucket: `rate` tokens per second, bursts up to one second's worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, now = Date.now()) {
    this.tokens = rate;
    this.last = now;
  }

  /** Takes n tokens, or answers how many seconds until they would be there. */
  take(n: number, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= n) {
      this.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((n - this.tokens) / this.rate)) };
  }
}

/** Per-key limits on requests and events per second (this instance's share). */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, { req: TokenBucket; ev: TokenBucket }>();

  constructor(private readonly requestsPerSecond: number, private readonly eventsPerSecond: number) {}

  check(key: string, events: number, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    let b = this.buckets.get(key);
    if (!b) {
      b = { req: new TokenBucket(this.requestsPerSecond, now), ev: new TokenBucket(this.eventsPerSecond, now) };
      this.buckets.set(key, b);
    }
    const r = b.req.take(1, now);
    if (!r.ok) return r;
    return b.ev.take(Math.min(events, this.eventsPerSecond), now);
  }
}

/** Per-address request limit (login): one bucket per address, forgotten when the map grows large. */
export class AddressRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perSecond: number, private readonly maxAddresses = 50_000) {}

  check(address: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    let b = this.buckets.get(address);
    if (!b) {
      // a full map is cleared rather than pruned: a bucket only matters within its second
      if (this.buckets.size >= this.maxAddresses) this.buckets.clear();
      b = new TokenBucket(this.perSecond, now);
      this.buckets.set(address, b);
    }
    return b.take(1, now);
  }
}
