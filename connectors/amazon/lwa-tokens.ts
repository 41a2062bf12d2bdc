import { randomUUID } from 'node:crypto';
import type { CachedToken, SharedTokenStore } from '../shopify/access-token';
import { AmazonApiError } from './errors';

export interface LwaOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Login with Amazon's token endpoint unless overridden (the sandbox). */
  tokenUrl?: string;
  /** Shared by every worker so they refresh once between them; keyed by `storeKey`. */
  store?: SharedTokenStore;
  /** The store's key for this selling partner's token (not secret: e.g. `amazon/<sellerId>`). */
  storeKey?: string;
  /** Refresh this long before expiry (default 5 min; LWA access tokens live 3,600 s). */
  refreshBeforeMs?: number;
  fetchApi?: typeof fetch;
  now?: () => number;
}

export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/**
 * SP-API access tokens by Login with Amazon's refresh-token grant (POST /auth/o2/token, form
 * grant_type=refresh_token): cached, refreshed `refreshBeforeMs` before expiry, one refresh at a time in this
 * process and, with a shared store, across processes (the same lease protocol as Shopify's client credentials).
 * A token Amazon refused (403) is dropped and replaced. Tokens and secrets never appear in errors or logs.
 */
export class LwaTokens {
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;
  private readonly holder = randomUUID();
  private readonly refused = new Set<string>();
  /** How many grants this process made (tests: one refresh at a time). */
  grants = 0;

  constructor(private readonly opts: LwaOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
  private fresh(t: CachedToken | undefined): t is CachedToken {
    return !!t && !this.refused.has(t.accessToken) && t.expiresAt - this.now() > (this.opts.refreshBeforeMs ?? 300_000);
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
    const { store } = this.opts;
    const key = this.opts.storeKey ?? `amazon/${this.opts.clientId}`;
    if (!store) return (this.cached = await this.grant());
    for (let attempt = 0; ; attempt++) {
      const shared = await store.read(key);
      if (this.fresh(shared)) return (this.cached = shared);
      if (await store.lease(key, this.holder, 30_000)) {
        const token = await this.grant();
        await store.write(key, this.holder, token);
        return (this.cached = token);
      }
      if (this.usable(shared)) return (this.cached = shared);
      if (attempt >= 150) throw new AmazonApiError('lwa', undefined, [], true, 1_000);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async grant(): Promise<CachedToken> {
    this.grants++;
    let res: Response;
    try {
      res = await (this.opts.fetchApi ?? fetch)(this.opts.tokenUrl ?? LWA_TOKEN_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: this.opts.refreshToken,
          client_id: this.opts.clientId,
          client_secret: this.opts.clientSecret,
        }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new AmazonApiError('lwa', undefined, [], true, 1_000);
    }
    const reply = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!res.ok || !reply.access_token || !reply.expires_in) {
      // LWA names the problem (invalid_grant, invalid_client); the reply carries no token to leak.
      const entry = { code: reply.error ?? `HTTP_${res.status}`, message: reply.error_description ?? '' };
      throw new AmazonApiError('lwa', res.status, [entry], res.status >= 500 || res.status === 429);
    }
    return { accessToken: reply.access_token, expiresAt: this.now() + reply.expires_in * 1000 };
  }
}
