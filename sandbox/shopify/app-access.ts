import { randomBytes } from 'node:crypto';

/** The scopes the pipelines ask for (README "Pointing it at a real shop"); the sandbox's app has them by default. */
export const DEFAULT_APP_SCOPES = [
  'read_products',
  'write_products',
  'read_inventory',
  'write_inventory',
  'read_locations',
  'read_orders',
  'read_all_orders',
  'read_customers',
];

export interface AppAccessOptions {
  /** The static token (an admin-created app's); always valid. */
  staticToken: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime of tokens issued by the client-credentials grant; Shopify's is 86,399 s. */
  tokenLifetimeSeconds?: number;
  scopes?: string[];
  now?: () => number;
}

// "Only the last 60 days' worth of orders from a store are accessible from the Order object by default. If you want
// to access older records, then you need to request access to all orders. If your app is granted access, then you
// can add the read_all_orders, read_orders, and write_orders scopes." (shopify.dev, Order object)
const DEFAULT_ORDER_WINDOW_MS = 60 * 86_400_000;

/**
 * The one app installed on the sandbox's shop: its static token, the tokens it got by the client-credentials grant
 * (shopify.dev "About client credentials": POST /admin/oauth/access_token, grant_type=client_credentials →
 * `{access_token, scope, expires_in}`), which expire, and its scopes (without `read_all_orders`, orders older than
 * 60 days are invisible, as on Shopify).
 */
export class AppAccess {
  private readonly issued = new Map<string, number>();
  readonly scopes: Set<string>;
  lifetimeSeconds: number;
  /** Tokens issued so far (tests count refreshes by it). */
  grants = 0;
  constructor(private readonly opts: AppAccessOptions) {
    this.scopes = new Set(opts.scopes ?? DEFAULT_APP_SCOPES);
    this.lifetimeSeconds = opts.tokenLifetimeSeconds ?? 86_399;
  }
  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The grant. `params` from a form-encoded or JSON body; an RFC 6749 §5.2 error for anything else. */
  grant(params: Record<string, string | undefined>): [number, Record<string, unknown>] {
    if (params.grant_type !== 'client_credentials')
      return [400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' }];
    if (params.client_id !== this.opts.clientId || params.client_secret !== this.opts.clientSecret)
      return [401, { error: 'invalid_client', error_description: 'Client authentication failed' }];
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.grants++;
    this.issued.set(token, this.now() + this.lifetimeSeconds * 1000);
    return [200, { access_token: token, scope: [...this.scopes].join(','), expires_in: this.lifetimeSeconds }];
  }

  /** True for the static token and for issued tokens that have not expired. */
  accepts(token: string | undefined): boolean {
    if (!token) return false;
    if (token === this.opts.staticToken) return true;
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.issued.delete(token);
    return false;
  }

  /** Every granted token stops working at once (as when a merchant rotates the app's secret); the static one stays. */
  revokeGranted(): void {
    this.issued.clear();
  }

  /** Whether the app may read an order created at `createdAt` (ISO-8601). */
  canReadOrder(createdAt: string): boolean {
    return this.scopes.has('read_all_orders') || Date.parse(createdAt) >= this.now() - DEFAULT_ORDER_WINDOW_MS;
  }
}
