export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * A local model of one shop's leaky bucket, shared by every caller in the process. Callers wait in
 * FIFO order *before* sending until the model says the next request's cost is covered; each reply's
 * `throttleStatus` corrects the model, so it tracks Shopify's bucket instead of guessing.
 */
export class CostBudget {
  private available: number;
  private maximum: number;
  private restoreRate: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();
  /** Points reserved by requests in flight: Shopify has charged them, but their replies have not come back. */
  private inFlight = 0;

  constructor(
    initial: ThrottleStatus = { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 },
    private readonly clock: Clock = realClock,
  ) {
    this.available = initial.currentlyAvailable;
    this.maximum = initial.maximumAvailable;
    this.restoreRate = initial.restoreRate;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.available = Math.min(this.maximum, this.available + ((now - this.updatedAt) / 1000) * this.restoreRate);
    this.updatedAt = now;
  }

  /** Resolves when `cost` points can be spent; the points are then reserved until settle(). */
  acquire(cost: number): Promise<void> {
    const turn = this.queue.then(async () => {
      const need = Math.min(cost, this.maximum);
      for (;;) {
        this.refill();
        if (this.available >= need) break;
        await this.clock.sleep(Math.ceil(((need - this.available) / this.restoreRate) * 1000) + 1);
      }
      this.available -= need;
      this.inFlight += need;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Records a reply. `actualCost` is what Shopify charged (null when it refused the request, e.g. THROTTLED,
   * or no reply came). The reservation is released, the unused part refunded, and Shopify's own
   * `throttleStatus` lowers the model when it is more pessimistic (another process spending the same budget).
   */
  settle(reserved: number, status?: ThrottleStatus, actualCost?: number | null): void {
    const held = Math.min(reserved, this.maximum);
    this.inFlight = Math.max(0, this.inFlight - held);
    this.refill();
    if (actualCost == null && status)
      this.available += held; // refused: nothing was charged
    else if (actualCost != null) this.available += Math.max(0, held - actualCost);
    if (status) {
      this.maximum = status.maximumAvailable;
      this.restoreRate = status.restoreRate;
      this.available = Math.min(this.available, status.currentlyAvailable - (actualCost == null ? this.inFlight : 0));
    }
    this.available = Math.min(this.maximum, this.available);
  }

  snapshot(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximum, currentlyAvailable: this.available, restoreRate: this.restoreRate };
  }
}

const budgets = new Map<string, CostBudget>();

/** The process-wide budget of one shop: every client instance for that shop shares it. */
export function budgetFor(shop: string): CostBudget {
  let b = budgets.get(shop);
  if (!b) budgets.set(shop, (b = new CostBudget()));
  return b;
}
