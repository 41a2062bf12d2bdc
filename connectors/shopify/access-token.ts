import { randomUUID } from 'node:crypto';

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

export interface CachedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * A token cache shared by every worker process of one shop, so they refresh once between them: `read` the cached
 * token; `lease` takes the right to refresh for `ms` (a conditional write: only one holder at a time); `write`
 * stores the new token and ends the lease.
 */
export interface SharedTokenStore {
  read(shop: string): Promise<CachedToken | undefined>;
  lease(shop: string, holder: string, ms: number): Promise<boolean>;
  write(shop: string, holder: string, token: CachedToken): Promise<void>;
}

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
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;
  private readonly holder = randomUUID();
  private readonly refused = new Set<string>();

  constructor(private readonly opts: ClientCredentialsOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
  private fresh(t: CachedToken | undefined): t is CachedToken {
    return !!t && !this.refused.has(t.accessToken) && t.expiresAt - this.now() > (this.opts.refreshBeforeMs ?? 600_000);
  }
  private usable(t: CachedToken | undefined): t is CachedToken {
    return !!t && !this.refused.has(t.accessToken) && t.expiresAt > this.now() + 5_000;
  }

  async token(): Promise<string> {
    if (this.fresh(this.cached)) return this.cached.accessToken;
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return (await this.inFlight).accessToken;
  }

  async invalidate(token: string): Promise<void> {
    this.refused.add(token);
    if (this.cached?.accessToken === token) this.cached = undefined;
  }

  private async refresh(): Promise<CachedToken> {
    const { store, shop } = this.opts;
    if (!store) return (this.cached = await this.grant());
    for (let attempt = 0; ; attempt++) {
      const shared = await store.read(shop);
      if (this.fresh(shared)) return (this.cached = shared);
      if (await store.lease(shop, this.holder, 30_000)) {
        const token = await this.grant();
        await store.write(shop, this.holder, token);
        return (this.cached = token);
      }
      // Another process is refreshing: a still-valid token serves meanwhile; without one, wait for its result.
      if (this.usable(shared)) return (this.cached = shared);
      if (attempt >= 150) throw new Error(`no Shopify access token for ${shop}: another process holds the refresh`);
      await new Promise((r) => setTimeout(r, 200));
    }
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
    return { accessToken: reply.access_token, expiresAt: this.now() + reply.expires_in * 1000 };
  }
}
