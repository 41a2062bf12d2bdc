import { LeasedTokenCache, type CachedToken, type SharedTokenStore } from '../leased-token-cache';

/** Where the Admin API client gets its token from, and how it reports one Shopify refused (401). */
export interface AccessTokenSource {
  token(): Promise<string>;
  /** The token was refused: the next `token()` must not return it. */
  invalidate(token: string): Promise<void>;
  /** True when a refused token can be replaced (client credentials); a static token cannot. */
  readonly renewable: boolean;
}

/** Shopify refused the grant itself (4xx, e.g. invalid_client): new attempts cannot succeed until the config changes. */
export class ShopifyGrantRefused extends Error {
  override name = 'ShopifyGrantRefused';
}

export function staticToken(token: string): AccessTokenSource {
  return { token: async () => token, invalidate: async () => undefined, renewable: false };
}

export type { CachedToken, SharedTokenStore } from '../leased-token-cache';

export interface ClientCredentialsOptions {
  shop: string;
  clientId: string;
  clientSecret: string;
  /** `https://{shop}/admin/oauth/access_token` unless overridden (the sandbox). */
  tokenUrl?: string;
  store?: SharedTokenStore;
  /** Refresh this long before expiry (default 10 min; Shopify's tokens live 24 h). */
  refreshBeforeMs?: number;
  fetchApi?: typeof fetch;
  now?: () => number;
  requestTimeoutMs?: number;
}

/** The grant's reply (shopify.dev "About client credentials"): `{access_token, scope, expires_in}`. */
interface GrantReply {
  access_token?: string;
  scope?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/**
 * Access tokens of a Dev Dashboard app by the client-credentials grant (POST /admin/oauth/access_token,
 * grant_type=client_credentials): fetched on first use, cached, refreshed `refreshBeforeMs` before they expire,
 * one refresh at a time in this process, and, with a shared store, one at a time across processes (the others read
 * the token it wrote). A refused token is dropped and replaced once. The token is never logged or returned to
 * callers other than the transport.
 */
export class ClientCredentialsTokens implements AccessTokenSource {
  readonly renewable = true;
  private readonly cache: LeasedTokenCache;

  constructor(private readonly opts: ClientCredentialsOptions) {
    this.cache = new LeasedTokenCache({
      key: opts.shop,
      grant: () => this.grant(),
      store: opts.store,
      refreshBeforeMs: opts.refreshBeforeMs ?? 600_000,
      now: opts.now,
      leaseHeldTooLong: () => new Error(`no Shopify access token for ${opts.shop}: another process holds the refresh`),
    });
  }

  token(): Promise<string> {
    return this.cache.token();
  }

  async invalidate(token: string): Promise<void> {
    this.cache.invalidate(token);
  }

  private async grant(): Promise<CachedToken> {
    const { shop, clientId, clientSecret } = this.opts;
    const url =
      this.opts.tokenUrl ?? `https://${shop.includes('.') ? shop : `${shop}.myshopify.com`}/admin/oauth/access_token`;
    const res = await (this.opts.fetchApi ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
    });
    const reply = (await res.json().catch(() => ({}))) as GrantReply;
    if (!res.ok || !reply.access_token || !reply.expires_in) {
      // The reply names the problem (e.g. invalid_client); it carries no token, and the secret is never echoed.
      const text =
        `Shopify refused the client-credentials grant for ${shop}: HTTP ${res.status} ${reply.error ?? ''} ${reply.error_description ?? ''}`.trim();
      throw res.status >= 400 && res.status < 500 ? new ShopifyGrantRefused(text) : new Error(text);
    }
    return { accessToken: reply.access_token, expiresAt: this.cache.now() + reply.expires_in * 1000 };
  }
}
