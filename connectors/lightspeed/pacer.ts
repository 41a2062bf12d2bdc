/**
 * Paces requests from the bucket headers of every reply (X-LS-API-Bucket-Level `used/size`, X-LS-API-Drip-Rate):
 * a request goes out only when the bucket, as last reported and drained since, plus the requests still in flight,
 * has room for it. Until the first reply says how big the bucket is, one request at a time. One pacer per account
 * per process (`pacerFor`), so every shop's extraction in this worker draws on the same bucket.
 */
export class BucketPacer {
  private level = 0;
  private size = 0;
  private drip = 1;
  private at = performance.now();
  private inflight = 0;
  private queue: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  readonly stats = { waitedMs: 0, throttled: 0 };

  constructor(private readonly headroom = 1) {}

  private current(): number {
    return Math.max(0, this.level - ((performance.now() - this.at) / 1000) * this.drip);
  }

  /** Resolves when a request of `cost` fits. */
  async acquire(cost = 1): Promise<void> {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.pump(cost);
    });
    this.stats.waitedMs += performance.now() - started;
  }

  private pump(cost: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const fits =
        this.size === 0 ? this.inflight === 0 : this.current() + this.inflight + cost <= this.size - this.headroom;
      if (!fits) {
        const over = this.size === 0 ? 0 : this.current() + this.inflight + cost - (this.size - this.headroom);
        // With requests in flight their replies re-pump; otherwise wait for the drip.
        if (this.inflight === 0 || over > 0)
          this.timer = setTimeout(() => this.pump(cost), Math.max(5, (over / this.drip) * 1000));
        return;
      }
      this.inflight += cost;
      this.queue.shift()!();
    }
  }

  /** Records a reply's headers (any status) and lets waiting requests go. */
  settle(headers: Headers, cost = 1): void {
    this.inflight = Math.max(0, this.inflight - cost);
    const level = /^([\d.]+)\/([\d.]+)$/.exec(headers.get('x-ls-api-bucket-level') ?? '');
    if (level) {
      this.level = Number(level[1]);
      this.size = Number(level[2]);
      this.at = performance.now();
    }
    const drip = Number(headers.get('x-ls-api-drip-rate'));
    if (drip > 0) this.drip = drip;
    this.pump(cost);
  }

  /** A 429: the bucket is full whatever we thought; wait Retry-After before anything else goes. */
  throttled(retryAfterSeconds: number): Promise<void> {
    this.stats.throttled++;
    this.level = this.size || this.level;
    this.at = performance.now();
    return new Promise((r) => setTimeout(r, Math.max(1, retryAfterSeconds) * 1000));
  }

  snapshot(): { level: number; size: number; drip: number; inflight: number } {
    return { level: this.current(), size: this.size, drip: this.drip, inflight: this.inflight };
  }
}

const pacers = new Map<string, BucketPacer>();
export function pacerFor(key: string): BucketPacer {
  let p = pacers.get(key);
  if (!p) pacers.set(key, (p = new BucketPacer()));
  return p;
}
