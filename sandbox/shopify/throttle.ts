export type ShopifyPlan = 'standard' | 'advanced' | 'plus' | 'enterprise';

/** Restore rate (points/s) and bucket size per plan, as Shopify documents them for the Admin GraphQL API. */
export const PLANS: Record<ShopifyPlan, { restoreRate: number; maximumAvailable: number }> = {
  standard: { restoreRate: 100, maximumAvailable: 2000 },
  advanced: { restoreRate: 200, maximumAvailable: 4000 },
  plus: { restoreRate: 1000, maximumAvailable: 20000 },
  enterprise: { restoreRate: 2000, maximumAvailable: 40000 },
};

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** The per-shop leaky bucket: refills continuously; a request is refused when its cost exceeds what is left. */
export class LeakyBucket {
  private available: number;
  private last = performance.now();

  constructor(private plan: ShopifyPlan) {
    this.available = PLANS[plan].maximumAvailable;
  }

  setPlan(plan: ShopifyPlan): void {
    this.plan = plan;
    this.available = Math.min(this.available, PLANS[plan].maximumAvailable);
  }

  private refill(): void {
    const now = performance.now();
    const { restoreRate, maximumAvailable } = PLANS[this.plan];
    this.available = Math.min(maximumAvailable, this.available + ((now - this.last) / 1000) * restoreRate);
    this.last = now;
  }

  /** Takes `cost` points if available; false (nothing taken) when the request must be throttled. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back the difference when the actual cost was below the requested one. */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(PLANS[this.plan].maximumAvailable, this.available + Math.max(0, points));
  }

  status(): ThrottleStatus {
    this.refill();
    const { restoreRate, maximumAvailable } = PLANS[this.plan];
    return { maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate };
  }
}
