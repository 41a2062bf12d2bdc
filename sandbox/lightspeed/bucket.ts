/**
 * The account's leaky bucket (developers.lightspeedhq.com/retail/introduction/ratelimits/): each request adds its
 * cost, the bucket drips at a steady rate, and a request that would overflow it is refused with 429. GET costs 1
 * unit, PUT/POST/DELETE 10 (Lightspeed's "Best Practices" post, community.lightspeedhq.com/en/discussion/28).
 */
export class AccountBucket {
  private level = 0;
  private last = performance.now();
  constructor(
    public size: number,
    public drip: number,
  ) {}

  private leak(): void {
    const now = performance.now();
    this.level = Math.max(0, this.level - ((now - this.last) / 1000) * this.drip);
    this.last = now;
  }

  /** Adds `cost` if it fits; otherwise nothing is added and the seconds until it would fit are returned. */
  take(cost: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.leak();
    if (this.level + cost > this.size)
      return { ok: false, retryAfterSeconds: (this.level + cost - this.size) / this.drip };
    this.level += cost;
    return { ok: true };
  }

  status(): { level: number; size: number; drip: number } {
    this.leak();
    return { level: this.level, size: this.size, drip: this.drip };
  }

  /** `X-LS-API-Bucket-Level: used/size` as Lightspeed prints it (two decimals at most). */
  headers(): Record<string, string> {
    const { level, size, drip } = this.status();
    return {
      'X-LS-API-Bucket-Level': `${Math.round(level * 100) / 100}/${size}`,
      'X-LS-API-Drip-Rate': String(drip),
    };
  }
}

/**
 * Bucket size and drip grow with the account's registers (the rate-limit page: "bucket size and drip rate grow per
 * register"); the page gives no formula, so this one is the sandbox's: 90 units and 1/s for one register, +10 units
 * per further register, +0.5/s for every 4 further registers.
 */
export function bucketForRegisters(registers: number): { size: number; drip: number } {
  const extra = Math.max(0, registers - 1);
  return { size: 90 + 10 * extra, drip: 1 + 0.5 * Math.floor(extra / 4) };
}
