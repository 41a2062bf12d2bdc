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
  /** False until a reply has shown Shopify's real bucket; until then `initial` is only a guess. */
  private calibrated: boolean;

  constructor(
    initial?: ThrottleStatus,
    private readonly clock: Clock = realClock,
  ) {
    // Before the first reply, assume the smallest plan (Standard): safe on every shop.
    const start = initial ?? { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 };
    this.available = start.currentlyAvailable;
    this.maximum = start.maximumAvailable;
    this.restoreRate = start.restoreRate;
    this.updatedAt = clock.now();
    this.calibrated = initial !== undefined;
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
    else if (actualCost != null) this.available += held - actualCost; // refund, or charge what the estimate missed
    if (status) {
      this.maximum = status.maximumAvailable;
      this.restoreRate = status.restoreRate;
      if (!this.calibrated) {
        // The first reply tells the plan (a Plus shop starts with 20000 points, not our default guess): adopt it,
        // minus what is still in flight, which it may not include yet.
        this.available = status.currentlyAvailable - this.inFlight;
        this.calibrated = true;
      } else
        this.available = Math.min(this.available, status.currentlyAvailable - (actualCost == null ? this.inFlight : 0));
    }
    this.available = Math.min(this.maximum, this.available);
  }

  snapshot(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximum, currentlyAvailable: this.available, restoreRate: this.restoreRate };
  }
}

/** A FIFO counting semaphore: bounds requests in flight to one shop, first come first served. */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface ShopLimits {
  budget: CostBudget;
  gate: Gate;
}

const shops = new Map<string, ShopLimits>();

/**
 * The process-wide limits of one shop (keyed by shop and endpoint, so two sandboxes never share one):
 * every client instance for that shop spends the same budget and passes the same gate.
 * The first client to ask sets the gate's size.
 */
export function limitsFor(shop: string, endpoint = '', maxConcurrency = 64, clock: Clock = realClock): ShopLimits {
  const key = `${shop.trim().toLowerCase()}|${endpoint}`;
  let limits = shops.get(key);
  if (!limits)
    shops.set(
      key,
      (limits = { budget: new CostBudget(undefined, clock), gate: new Gate(Math.max(1, maxConcurrency)) }),
    );
  return limits;
}

/** The process-wide budget of one shop: every client instance for that shop shares it. */
export function budgetFor(shop: string, endpoint = ''): CostBudget {
  return limitsFor(shop, endpoint).budget;
}
