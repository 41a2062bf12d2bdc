import { randomUUID } from 'node:crypto';

export interface CachedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * A token cache shared by every worker process of one account, so they refresh once between them: `read` the
 * cached token; `lease` takes the right to refresh for `ms` (a conditional write: only one holder at a time);
 * `write` stores the new token and ends the lease.
 */
export interface SharedTokenStore {
  read(key: string): Promise<CachedToken | undefined>;
  lease(key: string, holder: string, ms: number): Promise<boolean>;
  write(key: string, holder: string, token: CachedToken): Promise<void>;
}

export interface LeasedTokenCacheOptions {
  /** The store's key for this account's token (not secret: `demo.myshopify.com`, `amazon/<sellerId>`). */
  key: string;
  /** Asks the vendor for a new token (the grant); called by at most one process at a time when a store is given. */
  grant: () => Promise<CachedToken>;
  store?: SharedTokenStore;
  /** Refresh this long before expiry. */
  refreshBeforeMs: number;
  now?: () => number;
  /** The error when another process held the refresh for the whole wait (~30 s) and no usable token exists. */
  leaseHeldTooLong: () => Error;
}

/** How long a refresh lease lasts, and how often a waiting process looks for the token the holder wrote. */
const LEASE_MS = 30_000;
const WAIT_STEP_MS = 200;
const WAIT_STEPS = 150;

/**
 * Access tokens of a grant-based API (Shopify client credentials, Login with Amazon): fetched on first use,
 * cached, refreshed `refreshBeforeMs` before they expire, one refresh at a time in this process and, with a
 * shared store, one at a time across processes (the others read the token the lease holder wrote). A token the
 * vendor refused is dropped and never returned again. Tokens never leave through errors or logs.
 */
export class LeasedTokenCache {
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;
  private readonly holder = randomUUID();
  private readonly refused = new Set<string>();

  constructor(private readonly opts: LeasedTokenCacheOptions) {}

  now(): number {
    return (this.opts.now ?? Date.now)();
  }
  private fresh(t: CachedToken | undefined): t is CachedToken {
    return !!t && !this.refused.has(t.accessToken) && t.expiresAt - this.now() > this.opts.refreshBeforeMs;
  }
  private usable(t: CachedToken | undefined): t is CachedToken {
    return !!t && !this.refused.has(t.accessToken) && t.expiresAt > this.now() + 5_000;
  }

  async token(): Promise<string> {
    if (this.fresh(this.cached)) return this.cached.accessToken;
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return (await this.inFlight).accessToken;
  }

  invalidate(token: string): void {
    this.refused.add(token);
    if (this.cached?.accessToken === token) this.cached = undefined;
  }

  private async refresh(): Promise<CachedToken> {
    const { store, key } = this.opts;
    if (!store) return (this.cached = await this.opts.grant());
    for (let attempt = 0; ; attempt++) {
      const shared = await store.read(key);
      if (this.fresh(shared)) return (this.cached = shared);
      if (await store.lease(key, this.holder, LEASE_MS)) {
        const token = await this.opts.grant();
        await store.write(key, this.holder, token);
        return (this.cached = token);
      }
      // Another process is refreshing: a still-valid token serves meanwhile; without one, wait for its result.
      if (this.usable(shared)) return (this.cached = shared);
      if (attempt >= WAIT_STEPS) throw this.opts.leaseHeldTooLong();
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  }
}
