import type { RateLimit } from './models';

/**
 * SP-API's usage plans: one token bucket per operation (and selling partner), `burst` tokens deep, refilled at `rate`
 * per second (amazon-rate-limits.json, read from each operation's "Usage Plan" table). Buckets are independent, so
 * exhausting one operation never throttles another.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { limit: RateLimit; tokens: number; at: number }>();
  constructor(
    private readonly defaults: Record<string, RateLimit>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private bucket(key: string) {
    let b = this.buckets.get(key);
    const limit = this.defaults[key];
    if (!limit) throw new Error(`no usage plan for ${key}`);
    if (!b) this.buckets.set(key, (b = { limit: { ...limit }, tokens: limit.burst, at: this.now() }));
    const t = this.now();
    b.tokens = Math.min(b.limit.burst, b.tokens + ((t - b.at) / 1000) * b.limit.rate);
    b.at = t;
    return b;
  }

  /** Takes one token; false (nothing taken) when the operation's bucket is empty. */
  take(key: string): boolean {
    const b = this.bucket(key);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  limit(key: string): RateLimit {
    return { ...this.bucket(key).limit };
  }

  /** A different plan for one operation (Amazon grants some partners more); the bucket starts full. */
  set(key: string, limit: RateLimit): void {
    this.buckets.set(key, { limit: { ...limit }, tokens: limit.burst, at: this.now() });
  }

  reset(): void {
    this.buckets.clear();
  }

  status(): Record<string, RateLimit & { available: number }> {
    return Object.fromEntries(
      Object.keys(this.defaults).map((k) => {
        const b = this.bucket(k);
        return [k, { ...b.limit, available: Math.floor(b.tokens * 100) / 100 }];
      }),
    );
  }
}

/** The x-amzn-RateLimit-Limit header's value: the rate in requests per second, e.g. `5.0` or `0.0083`. */
export function rateHeader(rate: number): string {
  return Number.isInteger(rate) ? rate.toFixed(1) : String(rate);
}
