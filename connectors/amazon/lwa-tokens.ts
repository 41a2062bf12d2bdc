import { LeasedTokenCache, type CachedToken, type SharedTokenStore } from '../leased-token-cache';
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
 * process and, with a shared store, across processes (`LeasedTokenCache`, as Shopify's client credentials).
 * A token Amazon refused (403) is dropped and replaced. Tokens and secrets never appear in errors or logs.
 */
export class LwaTokens {
  private readonly cache: LeasedTokenCache;
  /** How many grants this process made (tests: one refresh at a time). */
  grants = 0;

  constructor(private readonly opts: LwaOptions) {
    this.cache = new LeasedTokenCache({
      key: opts.storeKey ?? `amazon/${opts.clientId}`,
      grant: () => this.grant(),
      store: opts.store,
      refreshBeforeMs: opts.refreshBeforeMs ?? 300_000,
      now: opts.now,
      leaseHeldTooLong: () => new AmazonApiError('lwa', undefined, [], true, 1_000),
    });
  }

  token(): Promise<string> {
    return this.cache.token();
  }

  invalidate(token: string): void {
    this.cache.invalidate(token);
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
    return { accessToken: reply.access_token, expiresAt: this.cache.now() + reply.expires_in * 1000 };
  }
}
