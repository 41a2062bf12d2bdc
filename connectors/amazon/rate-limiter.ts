import { setTimeout as delay } from 'node:timers/promises';
import { OPERATIONS, type Operation } from './operations';

/** Waits `ms`, or until `signal` aborts (then rejects with the signal's reason: the caller was cancelled). */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    throw signal?.aborted ? (signal.reason ?? err) : err;
  }
}

interface Bucket {
  rate: number;
  burst: number;
  /** May go negative: each caller reserves a token and waits until the bucket has refilled to it. */
  tokens: number;
  at: number;
}

/**
 * SP-API usage plans are token buckets per operation and selling partner. We keep one bucket per operation,
 * start from the model's default plan, and adopt the rate each reply reports in `x-amzn-RateLimit-Limit` (the
 * plan Amazon actually applies), so the client converges on the granted rate instead of probing with 429s. A 429
 * empties the bucket: Amazon's own bucket is empty, and waiting a full token is the least we can do.
 */
export class OperationRateLimiter {
  private readonly buckets = new Map<Operation, Bucket>();

  constructor(
    private readonly overrides: Partial<Record<Operation, { rate: number; burst: number }>> = {},
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
  ) {}

  private bucket(op: Operation): Bucket {
    let b = this.buckets.get(op);
    if (!b) {
      const plan = this.overrides[op] ?? OPERATIONS[op];
      b = { rate: plan.rate, burst: plan.burst, tokens: plan.burst, at: this.now() };
      this.buckets.set(op, b);
    }
    const t = this.now();
    b.tokens = Math.min(b.burst, b.tokens + ((t - b.at) / 1000) * b.rate);
    b.at = t;
    return b;
  }

  /**
   * Waits until a call of `op` fits the plan, then counts it. Returns the ms waited. A wait `signal` ends (the
   * activity was cancelled: a worker shutting down, a workflow that moved on) gives the token back and rejects.
   */
  async acquire(op: Operation, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const b = this.bucket(op);
    b.tokens -= 1;
    const waitMs = b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / b.rate) * 1000);
    if (waitMs > 0)
      try {
        await this.sleep(waitMs, signal);
      } catch (err) {
        this.bucket(op).tokens += 1;
        throw err;
      }
    return waitMs;
  }

  /** How long a call of `op` made now would wait for its token (0 within the burst); takes nothing. */
  waitMs(op: Operation): number {
    const b = this.bucket(op);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / b.rate) * 1000);
  }

  /** The calls of `op` that can be made now without waiting (whole tokens left in the bucket); takes nothing. */
  available(op: Operation): number {
    return Math.max(0, Math.floor(this.bucket(op).tokens));
  }

  /** A reply's `x-amzn-RateLimit-Limit` (requests/s): the rate Amazon applies to this operation. */
  observe(op: Operation, header: string | undefined): void {
    const rate = header === undefined ? NaN : Number.parseFloat(header);
    if (!Number.isFinite(rate) || rate <= 0) return;
    const b = this.bucket(op);
    if (rate === b.rate) return;
    // A granted rate below the burst's refill keeps the burst; one above it lets the bucket hold a second's worth.
    b.rate = rate;
    b.burst = Math.max(b.burst, Math.ceil(rate));
  }

  /** Amazon answered 429: its bucket is empty, so ours is too (the next call waits a full token). */
  throttled(op: Operation, header: string | undefined): number {
    this.observe(op, header);
    const b = this.bucket(op);
    b.tokens = Math.min(b.tokens, 0);
    return Math.ceil(1000 / b.rate);
  }

  /** The plan currently applied to `op` (tests, the console). */
  plan(op: Operation): { rate: number; burst: number } {
    const b = this.bucket(op);
    return { rate: b.rate, burst: b.burst };
  }
}
