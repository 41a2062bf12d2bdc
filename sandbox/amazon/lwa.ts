import { randomBytes } from 'node:crypto';

export interface LwaOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Lifetime of access tokens; Login with Amazon's is 3,600 s. Tests shorten it to see tokens expire. */
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export type TokenCheck = 'ok' | 'missing' | 'invalid' | 'expired';

/**
 * Login with Amazon's token endpoint for one app and one selling partner: POST /auth/o2/token with
 * grant_type=refresh_token, refresh_token, client_id, client_secret → {access_token, refresh_token,
 * token_type: "bearer", expires_in: 3600} (../shared/amazon/README.md). Errors are OAuth 2.0's (RFC 6749 §5.2).
 */
export class LoginWithAmazon {
  private readonly issued = new Map<string, number>();
  lifetimeSeconds: number;
  /** Access tokens issued so far (tests count refreshes by it). */
  grants = 0;
  constructor(private readonly opts: LwaOptions) {
    this.lifetimeSeconds = opts.tokenLifetimeSeconds ?? 3600;
  }
  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  grant(params: Record<string, string | undefined>): [number, Record<string, unknown>] {
    if (params.grant_type !== 'refresh_token')
      return [
        400,
        { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported' },
      ];
    if (params.client_id !== this.opts.clientId || params.client_secret !== this.opts.clientSecret)
      return [401, { error: 'invalid_client', error_description: 'Client authentication failed' }];
    if (params.refresh_token !== this.opts.refreshToken)
      return [
        400,
        { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' },
      ];
    const token = `Atza|${randomBytes(24).toString('base64url')}`;
    this.grants++;
    this.issued.set(token, this.now() + this.lifetimeSeconds * 1000);
    return [
      200,
      {
        access_token: token,
        refresh_token: this.opts.refreshToken,
        token_type: 'bearer',
        expires_in: this.lifetimeSeconds,
      },
    ];
  }

  check(token: string | undefined): TokenCheck {
    if (!token) return 'missing';
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) return 'invalid';
    return expiresAt > this.now() ? 'ok' : 'expired';
  }

  /** Every issued token stops working (as when the selling partner revokes the app's authorization). */
  revokeAll(): void {
    this.issued.clear();
  }
}
